"""Gap and power words of build-outs and plans (issue 18 follow-up, item 9): a bound of 0 or none
reads 'no bound yet', never 'decision gap 1839 %'; voltage classes and on-site options in words."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import xarray as xr

from siteplan.results.buildout_alternatives import _power
from siteplan.export.report import _decision_gap_cell
from siteplan.results.summary import _decision_gap_text, gap_words, no_bound_words


def _r(objective=4.26e9, bound=0.0, gap=1.0, dg=18.39, u=4.03e9):
    return SimpleNamespace(objective=objective, best_bound=bound, gap=gap, decision_gap=dg,
                           unavoidable_usd_per_yr=u)


def test_zero_or_missing_bound_reads_no_bound_yet():
    for r in (_r(), _r(bound=math.nan, gap=math.nan, dg=math.nan)):
        assert no_bound_words(r) == "no bound yet"
        assert gap_words(r) == "no bound yet"
        assert _decision_gap_text(r) == ""
        assert _decision_gap_cell(r) == "no bound yet"
        assert "%" not in gap_words(r) + _decision_gap_cell(r)


def test_bound_below_the_unavoidable_cost_is_no_useful_bound():
    r = _r(bound=3.9e9, gap=0.085, dg=1.56)
    assert no_bound_words(r).startswith("no useful bound yet")
    assert "156" not in _decision_gap_cell(r) and "156" not in gap_words(r)


def test_useful_bound_keeps_the_numbers():
    r = _r(objective=6.017e9, bound=6.0138e9, gap=0.000524, dg=0.0082, u=5.632e9)
    assert no_bound_words(r) == ""
    assert gap_words(r) == "gap 0.0524%"
    assert "decision gap 0.82%" in _decision_gap_text(r)


def test_buildout_power_in_words():
    ds = xr.Dataset(
        {"grid_energised": (("site", "period"), np.array([[0, 1, 1]])),
         "interconnect_class": (("site", "period"), np.array([["", "kv138", "kv138"]])),
         "onsite_units_owned": (("site", "generator", "period"), np.zeros((1, 1, 3))),
         "onsite_units_rented": (("site", "generator", "period"), np.array([[[2.0, 0.0, 0.0]]]))},
        coords={"site": ["s1"], "period": [2027, 2029, 2032], "generator": ["gas_turbine_mobile"]})
    text = _power(ds, "s1")
    assert text == "grid 2029 (138 kV); rents mobile gas turbines 2027", text
    assert "kv138" not in text and "_" not in text


def test_buildout_summary_and_report_say_no_bound_yet_and_name_sites(tmp_path):
    """The build-out's own summary line and report headline use the same words (no 'gap 100%',
    no 'decision gap 1839%'), and sites are named without their ids."""
    from dataclasses import replace

    from siteplan.buildout import BuildOut
    from siteplan.export.timeline import _gap_text

    ds = xr.Dataset({"period": ("period", [2027, 2029]), "length_yr": ("period", [2, 3]),
                     "demand_h100e": ("period", [10.0, 20.0]), "unmet_h100e": ("period", [0.0, 0.0]),
                     "site": ("site", ["site_1"]), "site_name": ("site", ["near Tyler, TX (Tyler 7)"]),
                     "open": (("site", "period"), [[1.0, 1.0]]), "grid_energised": (("site", "period"), [[0.0, 1.0]]),
                     "it_mw": (("site", "period"), [[5.0, 10.0]]),
                     "interconnect_contracted_mw": (("site", "period"), [[0.0, 12.0]]),
                     "cost_usd_per_yr": (("site", "period"), [[1e6, 2e6]])},
                    attrs={"scenario": "t", "objective_usd_per_yr": 4.26e9, "gap": 1.0, "decision_gap": 18.39,
                           "best_bound_usd_per_yr": 0.0, "unavoidable_usd_per_yr": 4.03e9, "start_year": 2026})
    from siteplan.solve import SolveResult, Termination

    res = SolveResult(termination=Termination("time_limit"), highs_status="Time limit reached", objective=4.26e9,
                      best_bound=0.0, gap=1.0, has_solution=True, decision_gap=18.39, unavoidable_usd_per_yr=4.03e9,
                      num_rows=1, num_cols=1, num_nonzeros=1, num_integer=1, mip_nodes=0)
    bo = BuildOut(res, {}, ds)
    text = bo.summary()
    assert "no bound yet" in text.splitlines()[0] and "%" not in text.splitlines()[0], text
    assert "Tyler, TX: opens 2027, grid from 2029" in text and "site_1" not in text, text
    assert _gap_text(ds) == "no bound yet"
    ds.attrs.pop("best_bound_usd_per_yr")  # a folder written before the bound was stored: from the gap
    assert _gap_text(ds) == "no bound yet"
    ds.attrs.update(gap=0.0066, best_bound_usd_per_yr=4.232e9, decision_gap=0.091)
    assert _gap_text(ds).startswith("gap 0.660% (decision gap 9.10% of the avoidable"), _gap_text(ds)
    line = BuildOut(replace(res, best_bound=4.232e9, gap=0.0066, decision_gap=0.091), {}, ds).summary().splitlines()[0]
    assert "gap 0.6600% (decision gap 9.10%" in line, line
