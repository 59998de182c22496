"""A utility's wait for large loads per substation, from the ISOs' interconnection queues.

No public data set gives large-load (data-center) interconnection waits per utility; the staged
queues are the ISOs' **generator** queues (``interconnection-queues/derived/queue_duration_summary.csv``).
The assumption: a large load entering the queue at the study start waits as long as the median
completed generator did from queue entry to operation, all fuels:

- ERCOT (eGRID subregion ERCT): queue date -> approved for synchronisation, median 3.91 yr
  (p25 2.83, p75 4.93; 114 completed projects, 2013-2025);
- MISO (MROW, MROE, RFCM, SRMW, SRMV: MISO's footprint, approximately): queue date -> in service,
  median 3.06 yr (p25 2.22, p75 3.47; 81 projects, 2015-2025).

Survivors only (withdrawn projects are not in the statistics), so these understate typical waits;
Dominion's 4-7 years for loads over 100 MW (2024) and LBNL's ~5-year median to commercial operation
are longer. Elsewhere (PJM, SPP, TVA, Southern, the West) the data have no queue: no wait is written
and the catalog's class lead times apply. The wait is written as each substation's ``lead_time_yr``
(rounded to 0.1 yr); a scenario's ``interconnect.lead_time_yr_by_zone`` overrides it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: ISO -> (metric in queue_duration_summary.csv, eGRID subregions it stands for)
ISO_QUEUES = {
    "ERCOT": ("queue_date_to_approved_for_synchronization_years", ("ERCT",)),
    "MISO": ("queue_date_to_in_service_date_years", ("MROE", "MROW", "RFCM", "SRMV", "SRMW")),
}


def load_waits(raw: Path) -> pd.DataFrame:
    """Per ISO: subregions, n, p25, median, p75 (years) of its queue statistic."""
    q = pd.read_csv(raw / "interconnection-queues" / "derived" / "queue_duration_summary.csv")
    rows = []
    for iso, (metric, subs) in ISO_QUEUES.items():
        hit = q[(q.iso == iso) & (q.fuel == "ALL") & (q.metric == metric)]
        if len(hit) != 1:
            raise KeyError(f"queue_duration_summary.csv: no single row for {iso} / ALL / {metric}")
        r = hit.iloc[0]
        rows.append({"iso": iso, "subregions": subs, "n": int(r.n), "p25": float(r.p25),
                     "median": float(r["median"]), "p75": float(r.p75)})
    return pd.DataFrame(rows).set_index("iso")


def wait_of_subregion(waits: pd.DataFrame, subregion: str) -> float | None:
    """The median wait (yr, 0.1 yr) for a load in ``subregion``; None where no queue data apply."""
    for _iso, r in waits.iterrows():
        if subregion in r.subregions:
            return round(float(r["median"]), 1)
    return None
