"""Tiny sites in near-optimal alternatives are flagged as in the best plan (issue 18 follow-up, item 8),
and a site tiny beside the plan's campuses (2.2 MW beside 400 MW) counts as tiny."""

from __future__ import annotations

import copy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import siteplan  # noqa: E402
from siteplan.alternatives import alternatives_checks, alternatives_table  # noqa: E402
from siteplan.export.report import report_blocks, render_markdown  # noqa: E402
from siteplan.results.summary import plan_checks, tiny_threshold_mw  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "models" / "example.yaml"


@pytest.fixture(scope="module")
def plans():
    best = siteplan.solve(EXAMPLE)
    best.sites = best.sites.copy()
    big = best.sites.index[best.sites["open"]][0]
    best.sites.loc[big, "it_mw"] = 400.0  # a campus the size of the texas plan's
    alt = copy.copy(best)
    alt.sites = best.sites.copy()
    small = best.sites.index[~best.sites["open"]][0]
    alt.sites.loc[small, ["open", "it_mw", "onsite_mw"]] = [True, 2.2, 10.0]
    best.alternatives = [alt]
    return best, alt, str(alt.sites.loc[small, "site_id"]), str(alt.sites.loc[small, "place"])


def test_small_share_is_tiny(plans):
    best, alt, sid, name = plans
    assert tiny_threshold_mw(alt.sites) == pytest.approx(4.022)
    (c,) = [c for c in plan_checks(alt) if "tiny site" in c]
    assert c.startswith(f"tiny site: {name} has only 2.2 MW of IT (0.5% of the plan's 402 MW)")
    assert "beside 10.0 MW of on-site plant" in c and sid not in c
    assert not [c for c in plan_checks(best) if "tiny site" in c]


def test_alternatives_flag_tiny_sites(plans, monkeypatch):
    best, alt, sid, name = plans
    tab = alternatives_table(best, best.alternatives)
    assert list(tab["tiny sites"]) == ["", f"{sid} (2.2 MW)"]
    (c,) = alternatives_checks(best.alternatives)
    assert c.startswith(f"alternative 1: tiny site: {name} has only 2.2 MW of IT")
    import siteplan.export.staticmap as sm

    monkeypatch.setattr(sm, "render_map", lambda *a, **k: plt.figure(figsize=(1, 1)))
    md = render_markdown(report_blocks(best, scenario={}, map_png=b""), "t")
    part = md.split("## Near-optimal alternatives")[1]
    assert "**Check before relying on these alternatives**" in part
    assert f"**alternative 1: tiny site: {name} has only 2.2 MW of IT" in part
    row = next(x for x in part.splitlines() if x.startswith("| alternative 1 |") or x.startswith("| 1 |"))
    assert row.rstrip(" |").endswith(f"{name} (2.2 MW)"), row


def test_buildout_alternatives_flag_tiny_sites():
    import numpy as np
    import xarray as xr

    from siteplan.results.buildout_alternatives import buildout_alternatives_checks, buildout_alternatives_table

    def timeline(it):  # site x period IT MW
        it = np.array(it, float)
        z = np.zeros((it.shape[0], 0, 2))
        return xr.Dataset({"it_mw": (("site", "period"), it), "open": (("site", "period"), (it > 0).astype(int)),
                           "interconnect_contracted_mw": (("site", "period"), it),
                           "grid_energised": (("site", "period"), (it > 0).astype(int)),
                           "interconnect_class": (("site", "period"), np.full(it.shape, "kv138")),
                           "onsite_units_owned": (("site", "generator", "period"), z),
                           "onsite_units_rented": (("site", "generator", "period"), z),
                           "unmet_h100e": (("period",), np.zeros(2))},
                          coords={"site": ["a", "b"], "period": [2029, 2032], "generator": []},
                          attrs={"objective_usd_per_yr": 1e9})

    best, alt = timeline([[300, 400], [0, 0]]), timeline([[300, 400], [0, 2.2]])
    tab = buildout_alternatives_table(best, [alt])
    assert list(tab["tiny sites"]) == ["", "b (2.2 MW in 2032)"]
    assert buildout_alternatives_checks([alt], {"b": "West Odessa, TX"}) == [
        "alternative 1: tiny site: West Odessa, TX has only 2.2 MW of IT in 2032; a site this small is rarely worth "
        "its fixed costs - check it before relying on it"]
