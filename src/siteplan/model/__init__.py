"""The siteplan MILP as a plain Pyomo ConcreteModel, built by one module per concern.

Build order (oemof/PyPSA style): sets and decisions per concern, each contributing to the shared
registries (site power, costs, emissions); then the site power balance, emissions and objective.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from siteplan.model.assets import cost_assets_annualised
from siteplan.model.demand import define_demand, define_idle_limit
from siteplan.model.energy_graph import define_energy_graph
from siteplan.model.environment import define_emissions, define_water
from siteplan.model.firm import define_firm_capacity
from siteplan.model.interconnect import define_interconnect
from siteplan.model.objective import COST_CATEGORIES, add_cost, define_objective
from siteplan.model.onsite import define_generators
from siteplan.model.power import define_facility_power, define_power_balance
from siteplan.model.racks import define_racks
from siteplan.model.registry import Registry
from siteplan.model.siting import define_sites
from siteplan.model.storage import define_batteries

__all__ = ["build_model", "add_cost", "COST_CATEGORIES"]


def build_model(prepared) -> pyo.ConcreteModel:
    """Build the siteplan MILP.

    Parameters
    ----------
    prepared : siteplan.prepare.Prepared
        Output of :func:`siteplan.prepare.prepare`.

    Returns
    -------
    pyomo.environ.ConcreteModel
        A plain model. Add constraints or variables before solving (they are picked up by
        :func:`siteplan.solve.solve_model`); add cost terms with :func:`siteplan.model.add_cost`.
    """
    p = prepared
    # The cyclic garbage collector would otherwise re-scan the growing model again and again while
    # it is built (over half the build time at 300 sites); Pyomo's own file writers pause it too.
    with PauseGC():
        m = pyo.ConcreteModel(name=p.scenario.name)
        define_study(m, p)
        define_idle_limit(m, p)  # single period only: a build-out's racks stay installed across periods
        cost_assets_annualised(m, p)
        define_objective(m, p)
    # the LP relaxation of the LP-guided start (solve_model, mip_start) by interior point: on the
    # generated 300-site study dual simplex took 5.0 s against 2.5 s (HiGHS 25.4 -> 16.6 s to the gap,
    # same plan); the bundled regions start from the root cut loop's LP and are unchanged (same plans
    # and times on texas, tennessee and northern_virginia, 2026-12-03)
    m._siteplan_start_lp_solver = "ipm"
    return m


def define_study(m, p) -> None:
    """Everything of one period of a study on ``m`` (a model or a period's block), but its capital
    costs (declared as assets, :mod:`siteplan.model.assets`) and the objective."""
    m._siteplan_registry = Registry()
    define_sites(m, p)
    define_racks(m, p)
    define_facility_power(m, p)
    define_interconnect(m, p)
    define_energy_graph(m, p)
    define_generators(m, p)
    define_batteries(m, p)
    define_firm_capacity(m, p)
    define_power_balance(m, p)
    define_demand(m, p)
    define_water(m, p)
    define_emissions(m, p)
