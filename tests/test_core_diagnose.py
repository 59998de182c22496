"""Infeasible studies are diagnosed with an irreducible infeasible subset in model terms."""

import pyomo.environ as pyo
import pytest

import siteplan
from siteplan.errors import SolveError
from siteplan.prepare import prepare
from tiny import site, write_tiny


def _model(tmp_path, **kw):
    study = siteplan.load(write_tiny(tmp_path, **kw))
    prep = prepare(study.scenario, study.dataset, study.catalog)
    return siteplan.build_model(prep), prep


def test_iis_names_exactly_the_conflicting_rows(tmp_path):
    # A user forces site s1 to host at least 20 MW of IT, but the site allows 10 (max_it_mw, which
    # bounds each rack count and the it_max rows): the conflict is the user's row against those
    # limits, nothing about demand, serving or the energy graph.
    m, prep = _model(tmp_path, sites=[site("s1", max_it_mw=10.0)])
    m.user_min_it = pyo.Constraint(expr=sum(m.it_mw_sk[s, k] for s, k in prep.site_design) >= 20.0)
    with pytest.raises(SolveError) as err:
        siteplan.solve_built(m, prep)
    d = err.value.diagnosis
    assert d is not None and d.kind == "lp"
    fams = d.families
    # (the site's 10 MW shows as its rack bounds, its it_max rows, or the import its connection can
    # carry for a 10 MW site: an IIS need not be unique)
    assert "user_min_it" in fams and {"it_max", "racks", "grid_import_mw", "contract_cap", "firm_cover"} & set(fams), fams
    assert not {"node_balance", "serve_link", "demand_balance", "serve_capacity"} & set(fams), fams
    assert "irreducible infeasible subset" in str(err.value) and "user_min_it" in str(err.value)
    # an IIS is irreducible: dropping the user's row makes the model feasible
    m.user_min_it.deactivate()
    assert siteplan.solve_built(m, prep).objective > 0


def test_only_integrality_is_said_so(tmp_path):
    # 1 MW racks and a user row asking for exactly 2.5 MW of IT: the LP relaxation is feasible,
    # whole racks are not
    m, prep = _model(tmp_path)
    m.user_exact = pyo.Constraint(expr=sum(m.racks[s, g, k] for s, g, k in prep.site_rack_design) == 2.5)
    with pytest.raises(SolveError) as err:
        siteplan.solve_built(m, prep)
    assert err.value.diagnosis.kind == "integrality"
    assert "only integrality" in str(err.value)


def test_contradictory_limits_are_found(tmp_path):
    # min_it_mw_per_site 5 with a user row that opens s1 while s1 has no power at all (no
    # interconnect option within 0.1 km, no on-site units): open needs >= 5 MW of IT, IT needs power
    m, prep = _model(tmp_path, scenario={"limits": {"min_it_mw_per_site": 5.0},
                                         "interconnect": {"max_distance_km": 0.1}})
    m.user_open = pyo.Constraint(expr=m.open["s1"] == 1)
    with pytest.raises(SolveError) as err:
        siteplan.solve_built(m, prep)
    fams = err.value.diagnosis.families
    # (an IIS need not be unique: "open needs >= 5 MW" or "open needs a rack" are both minimal)
    assert "user_open" in fams and ("it_min" in fams or "nonempty" in fams) and "power_balance" in fams, fams
