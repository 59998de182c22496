"""The one limit that sets a grid connection's most, named in the summary and the report (issue 18
follow-up, item 2): the substation's headroom, the voltage class's limit or the site's own peak."""

from __future__ import annotations

import pytest

from siteplan.export.report import _power_table
from siteplan.labels import connection_limit
from siteplan.results.summary import AMBIGUOUS_LIMIT, connection_limits, summary_text
from tiny import site, solve_checked, sub, write_tiny

NO_BIG = {"interconnect_classes": {"big": {"lead_time_yr": 10}}}  # only the 69 kV class (20 MW) is ready in time


@pytest.mark.parametrize("kw, words", [
    # headroom 15 MW below both classes' limits, no upgrades: the headroom caps the connection
    (dict(substations=[sub("b1", headroom_mw=15.0)], scenario={"interconnect": {"allow_upgrades": False}}),
     "the substation's headroom"),
    # plenty of headroom, only the 20 MW class in time: the class caps it
    (dict(catalog=NO_BIG), "the 69 kV class limit"),
    # a 10 MW site: the connection never needs more than its peak
    (dict(sites=[site("s1", max_it_mw=10.0)]), "the site's largest possible peak, not a grid limit"),
])
def test_one_limit_named(tmp_path, kw, words):
    plan, _ = solve_checked(write_tiny(tmp_path, demand_gpus=30.0, **kw))
    assert connection_limits(plan) == {"s1": words}
    text = summary_text(plan)
    assert AMBIGUOUS_LIMIT not in text
    assert f"on this connection: {words}" in text
    rows = _power_table(plan).rows
    assert len(rows) == 1 and f"on this connection: {words}" in rows[0][3] and AMBIGUOUS_LIMIT not in rows[0][3]
    if "at its most" in rows[0][-1]:
        assert words in rows[0][-1]
    # the site table itself (sites.csv, the GeoPackage, the maps) names it too
    ic = plan.sites.set_index("site_id").loc["s1", "interconnect"]
    assert f"on this connection: {words}" in ic and AMBIGUOUS_LIMIT not in ic


def test_connection_limit_words():
    assert connection_limit(240.0, 336.7, 0.0, 161.0) == "the 161 kV class limit, 240.0 MW"
    assert connection_limit(195.2, 195.2, 0.0, 138.0) == "the substation's headroom, 195.2 MW"
    # contracted beyond the headroom through upgrades: the headroom is not what limits it
    assert connection_limit(200.0, 200.0, 30.0, 138.0).startswith("the 138 kV class limit")
