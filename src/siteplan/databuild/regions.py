"""The table of bundled regions: one row per region, nothing else.

``bbox`` is (lon_min, lat_min, lon_max, lat_max) in WGS84 degrees: the core area where candidate
sites are placed. ``states`` are the USPS codes whose territory inside the bbox may host sites.
``interconnect`` selects the synthetic-grid interconnection (Texas = ERCOT).
``land_usd_per_acre`` is an estimate of serviced industrial land near HV substations (see
data/SOURCES.md); ``training_share`` is the region's share of national training demand
(see :mod:`siteplan.databuild.demand`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    name: str
    title: str
    interconnect: str
    states: tuple[str, ...]
    bbox: tuple[float, float, float, float]
    land_usd_per_acre: float
    training_share: float
    arid: bool = False


REGIONS: dict[str, Region] = {
    r.name: r
    for r in [
        Region("texas", "Texas (ERCOT)", "Texas", ("TX",), (-104.6, 25.8, -93.5, 34.6), 20000.0, 0.10),
        Region("northern_virginia", "Northern Virginia and the Washington DC area (PJM Dominion)",
               "Eastern", ("VA", "MD", "DC", "WV"), (-79.2, 37.8, -76.4, 39.8), 400000.0, 0.06),
        Region("ohio", "Ohio (PJM West / AEP, FirstEnergy)", "Eastern", ("OH",),
               (-84.9, 38.4, -80.5, 42.0), 30000.0, 0.05),
        Region("georgia", "Georgia (Southern Company)", "Eastern", ("GA",),
               (-85.7, 30.4, -80.8, 35.0), 40000.0, 0.05),
        Region("tennessee", "Tennessee and Memphis (TVA)", "Eastern", ("TN",),
               (-90.4, 34.9, -81.6, 36.7), 30000.0, 0.05),
        Region("arizona", "Arizona (APS, SRP, TEP)", "Western", ("AZ",),
               (-114.9, 31.3, -109.0, 37.0), 60000.0, 0.05, arid=True),
        Region("pacific_northwest", "Pacific Northwest (Washington and Oregon, BPA)", "Western",
               ("WA", "OR"), (-124.5, 42.0, -116.5, 49.0), 20000.0, 0.05),
        Region("iowa", "Iowa (MISO)", "Eastern", ("IA",), (-96.7, 40.4, -90.1, 43.5), 15000.0, 0.04),
        Region("oklahoma", "Oklahoma (SPP)", "Eastern", ("OK",), (-103.0, 33.6, -94.4, 37.0), 12000.0, 0.04),
    ]
}

DEFAULT_REGION = "texas"

#: degrees added around the core bbox for the network buffer (supply and corridors only)
GRID_BUFFER_DEG = 0.6
#: degrees added around the core bbox for fiber PoPs, weather stations and demand metros
AREA_BUFFER_DEG = 0.5


def get_region(name: str) -> Region:
    try:
        return REGIONS[name]
    except KeyError:
        raise KeyError(f"unknown region {name!r}; known: {', '.join(sorted(REGIONS))}") from None


def in_bbox(lon, lat, bbox, pad: float = 0.0):
    """Vectorised membership test (numpy arrays or scalars)."""
    x0, y0, x1, y1 = bbox
    return (lon >= x0 - pad) & (lon <= x1 + pad) & (lat >= y0 - pad) & (lat <= y1 + pad)
