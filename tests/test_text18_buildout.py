"""Gap and power words of build-outs and plans (issue 18 follow-up, item 9): a bound of 0 or none
reads 'no bound yet', never 'decision gap 1839 %'; voltage classes and on-site options in words."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import xarray as xr

from siteplan.buildout_alternatives import _power
from siteplan.export.report import _decision_gap_cell
from siteplan.summary import _decision_gap_text, gap_words, no_bound_words


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
