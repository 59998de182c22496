"""Least-flow routing on the energy graph, with every decision fixed (no Pyomo here).

The model only asks that the grid can deliver every site's contracted MW at once; where power
actually flows is not a decision, and a transport model without flow costs may route it in
circles. After the solve, each slice's imports (and the contracted MW) are routed again by the
flow that delivers them with the least total MW x corridor (one LP per slice, re-solved in one
HiGHS instance with only the loads changed), which never circulates: a positive cost on every corridor makes any cycle removable at a saving.
"""

from __future__ import annotations

import highspy
import numpy as np

from siteplan._scipy import import_scipy
from siteplan.solve.solve_result import CompiledModel


def least_flows(nodes: list, from_id: list, to_id: list, capacity_mw: np.ndarray, supply_limit_mw: np.ndarray,
                load_mw: np.ndarray, tol_mw: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Route each column of ``load_mw`` with the least total corridor flow.

    Parameters
    ----------
    nodes : list of str
        Substations in the flow model.
    from_id, to_id : list of str
        Corridor ends (in ``nodes``).
    capacity_mw : numpy.ndarray
        Corridor capacity (either direction), shape (corridor,), or (corridor, case) when it
        differs by case.
    supply_limit_mw : numpy.ndarray
        Most each node can inject, shape (node,) or (node, case).
    load_mw : numpy.ndarray
        Load to deliver at each node, shape (node, case) (a case is a slice, or the contracts).
    tol_mw : float
        Loads below this are taken as 0 (solver noise of the MILP).

    Returns
    -------
    flow_mw, supply_mw : numpy.ndarray
        Corridor flow from_id -> to_id (negative = reverse), shape (corridor, case); injection per
        node, shape (node, case).

    Notes
    -----
    A load that cannot be delivered (never, for a plan that meets its constraints) is left
    undelivered at a penalty above any routing cost, rather than raising: the plan's invariants
    then name the node that is short.
    """
    nb, ne = len(nodes), len(from_id)
    load = np.where(np.abs(load_mw) < tol_mw, 0.0, load_mw)
    ncase = load.shape[1]
    flow = np.zeros((ne, ncase))
    supply = np.zeros((nb, ncase))
    if nb == 0:
        return flow, supply
    from siteplan.solve import highs

    A = _balance_matrix(nodes, from_id, to_id)
    cap_c, sup_c = _per_case(capacity_mw, ne, ncase), _per_case(supply_limit_mw, nb, ncase)
    h = highs.load_highs(_flow_lp(A, ne, nb, cap_c, sup_c), {})
    idx = np.arange(nb, dtype=np.int32)
    bounded = np.arange(2 * ne + nb, dtype=np.int32)
    for j in range(ncase):
        if not load[:, j].any():
            continue
        h.changeColsBounds(len(bounded), bounded, np.zeros(len(bounded)),
                           np.concatenate([cap_c[:, j], cap_c[:, j], sup_c[:, j]]))
        rhs = load[:, j]
        h.changeRowsBounds(nb, idx, rhs, rhs)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # cannot happen: undelivered is free
            raise RuntimeError(f"least-flow routing of case {j}: {h.modelStatusToString(h.getModelStatus())}")
        x = np.asarray(h.getSolution().col_value)
        flow[:, j] = x[:ne] - x[ne:2 * ne]
        supply[:, j] = x[2 * ne:2 * ne + nb]
    return flow, supply


def _balance_matrix(nodes: list, from_id: list, to_id: list):
    """Node-balance matrix (node x column, CSC) over the columns f_plus, f_minus, supply, undelivered."""
    import_scipy()
    from scipy.sparse import coo_matrix

    nb, ne = len(nodes), len(from_id)
    ni = {b: i for i, b in enumerate(nodes)}
    a = np.array([ni[x] for x in from_id], dtype=int)
    b = np.array([ni[x] for x in to_id], dtype=int)
    e = np.arange(ne)
    # columns: f_plus (ne), f_minus (ne), supply (nb), undelivered (nb); rows: nodes
    # node balance: inflow - outflow + supply + undelivered = load
    nodes_i = np.arange(nb)
    rows = np.concatenate([b, a, a, b, nodes_i, nodes_i])
    cols = np.concatenate([e, e, ne + e, ne + e, 2 * ne + nodes_i, 2 * ne + nb + nodes_i])
    vals = np.concatenate([np.ones(ne), -np.ones(ne), np.ones(ne), -np.ones(ne), np.ones(nb), np.ones(nb)])
    ncol = 2 * ne + 2 * nb
    return coo_matrix((vals, (rows, cols)), shape=(nb, ncol)).tocsc()


def _per_case(values, n: int, ncase: int) -> np.ndarray:
    """A bound given as (n,) or (n, case), as an (n, case) array."""
    v = np.asarray(values, dtype=float)
    return np.broadcast_to(v.reshape(n, -1) if n else np.zeros((0, 1)), (n, ncase))


def _flow_lp(A, ne: int, nb: int, cap_c: np.ndarray, sup_c: np.ndarray) -> CompiledModel:
    """The least-flow LP with the first case's bounds and no load (each case sets its own); its columns
    are numbered, not Pyomo variables."""
    ncol = 2 * ne + 2 * nb
    cap = cap_c[:, 0]
    # a MW left undelivered costs more than any routing can (all corridors full both ways cost 2 x sum)
    penalty = 1.0 + 2.0 * float(cap_c.max(axis=1, initial=0.0).sum())
    return CompiledModel(columns=list(range(ncol)),
                         c=np.concatenate([np.ones(2 * ne), np.zeros(nb), np.full(nb, penalty)]),  # 1 per MW per corridor
                         offset=0.0, A=A, row_lower=np.zeros(nb), row_upper=np.zeros(nb), col_lower=np.zeros(ncol),
                         col_upper=np.concatenate([cap, cap, sup_c[:, 0], np.full(nb, np.inf)]),
                         integrality=np.zeros(ncol, dtype=np.uint8))


def circulating(nodes: list, from_id: list, to_id: list, flow_mw: np.ndarray, tol_mw: float = 1e-4) -> list:
    """Cases (column indices) whose flow contains a directed cycle of flows above ``tol_mw``."""
    import networkx as nx

    out = []
    for j in range(flow_mw.shape[1]):
        g = nx.DiGraph()
        g.add_nodes_from(nodes)
        for k in np.flatnonzero(np.abs(flow_mw[:, j]) > tol_mw):
            u, v = (from_id[k], to_id[k]) if flow_mw[k, j] > 0 else (to_id[k], from_id[k])
            g.add_edge(u, v)
        if not nx.is_directed_acyclic_graph(g):
            out.append(j)
    return out
