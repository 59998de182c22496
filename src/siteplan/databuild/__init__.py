"""Build the bundled regional datasets from raw public sources (``siteplan data build``).

One module per source or concern: :mod:`regions` (the region table), :mod:`geo` (distances and
deterministic writers), :mod:`grid` (synthetic grid -> substations, corridors), :mod:`sites`
(candidate parcels), :mod:`fiber` (Topology Zoo -> PoPs and routes), :mod:`demand` (GeoNames ->
metros with GPU demand), :mod:`climate` (design conditions -> representative slices),
:mod:`prices` (EIA prices and carbon per zone and slice) and :mod:`build` (orchestration).
Nothing runs at import time.
"""
