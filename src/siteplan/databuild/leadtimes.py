"""A utility's wait for large loads per substation, from the ISOs' interconnection queues.

No public data set gives large-load (data-center) interconnection waits per utility; the staged
queues are the ISOs' **generator** queues (``interconnection-queues/derived/queue_duration_summary.csv``).
The assumption: a large load entering the queue at the study start waits as long as the median
completed generator did from queue entry to operation, all fuels:

- ERCOT (zone ``TX-ERCT``): queue date -> approved for synchronisation, median 3.91 yr
  (p25 2.83, p75 4.93; 114 completed projects, 2013-2025);
- MISO (the zones of ``MISO_ZONES``: Iowa, Minnesota, Wisconsin, the Dakotas' MROW, Michigan's RFCM,
  Ameren's SRMW in Illinois and Missouri, Entergy's SRMV in Arkansas, Louisiana, Mississippi and
  Texas): queue date -> in service, median 3.06 yr (p25 2.22, p75 3.47; 81 projects, 2015-2025).

The ISO is read from the zone (state and eGRID subregion), not from the subregion alone: Nebraska's
MROW is SPP, Ohio's RFCM is PJM, an Oklahoma point in the ERCT polygon is not ERCOT. Indiana's
RFCW (mostly MISO, partly PJM) and Missouri's SRMW outside Ameren (Associated Electric, no ISO)
are approximations: Indiana gets none, Missouri's SRMW gets MISO's.

Survivors only (withdrawn projects are not in the statistics), so these understate typical waits;
Dominion's 4-7 years for loads over 100 MW (2024) and LBNL's ~5-year median to commercial operation
are longer. Elsewhere (PJM, SPP, TVA, Southern, the West) the data have no queue: no wait is written
and the catalog's class lead times apply. The wait is written as each substation's ``lead_time_yr``
(rounded to 0.1 yr); a scenario's ``interconnect.lead_time_yr_by_zone`` overrides it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

MISO_ZONES = ("AR-SRMV", "IA-MROW", "IL-SRMW", "LA-SRMV", "MI-RFCM", "MN-MROW", "MO-SRMW", "MS-SRMV",
              "ND-MROW", "SD-MROW", "TX-SRMV", "WI-MROE", "WI-MROW")
#: ISO -> (metric in queue_duration_summary.csv, zones <state>-<subregion> it stands for)
ISO_QUEUES = {
    "ERCOT": ("queue_date_to_approved_for_synchronization_years", ("TX-ERCT",)),
    "MISO": ("queue_date_to_in_service_date_years", MISO_ZONES),
}


def load_waits(raw: Path) -> pd.DataFrame:
    """Per ISO: zones, n, p25, median, p75 (years) of its queue statistic."""
    q = pd.read_csv(raw / "interconnection-queues" / "derived" / "queue_duration_summary.csv")
    rows = []
    for iso, (metric, zones) in ISO_QUEUES.items():
        hit = q[(q.iso == iso) & (q.fuel == "ALL") & (q.metric == metric)]
        if len(hit) != 1:
            raise KeyError(f"queue_duration_summary.csv: no single row for {iso} / ALL / {metric}")
        r = hit.iloc[0]
        rows.append({"iso": iso, "zones": zones, "n": int(r.n), "p25": float(r.p25),
                     "median": float(r["median"]), "p75": float(r.p75)})
    return pd.DataFrame(rows).set_index("iso")


def wait_of_zone(waits: pd.DataFrame, zone: str) -> float | None:
    """The median wait (yr, 0.1 yr) for a load in ``zone`` (``<state>-<subregion>``); None where no
    queue data apply."""
    for _iso, r in waits.iterrows():
        if zone in r.zones:
            return round(float(r["median"]), 1)
    return None
