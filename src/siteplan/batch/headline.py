"""What a worker sends back for a solved scenario: the plan's headline figures, the results files."""

from __future__ import annotations

from pathlib import Path


def headline(plan) -> dict:
    """Headline figures of a plan (plain floats), the same for every region."""
    ds, r = plan.ds, plan.result
    sites = plan.sites
    return {
        "objective_usd_per_yr": float(r.objective),
        "best_bound_usd_per_yr": float(r.best_bound),
        "mip_gap": float(r.gap),
        "termination": r.termination.value,
        "open_sites": int(ds["open"].sum()),
        "it_mw": float(ds["it_mw"].sum()),
        "compute_h100e": float(ds["compute_h100e"].sum()),
        "gpus": float(ds["gpus"].sum()),
        "demand_h100e": float(ds["demand_h100e"].sum()),
        "unmet_h100e": float(ds["unmet_h100e"].sum()),
        "emissions_t_per_yr": float(ds["emissions_t_per_yr"].sum()),
        "water_m3_per_yr": float(ds["water_m3_per_yr"].sum()),
        "interconnect_mw": float(sites["interconnect_mw"].sum()),
        "onsite_mw": float(sites["onsite_mw"].sum()),
        "cost_usd_per_yr": {str(c): float(v) for c, v in zip(ds["cost_category"].values, ds["cost_usd_per_yr"].values)},
        "timings_s": {"prepare": r.timings.prepare_s, "build": r.timings.build_s, "handoff": r.timings.handoff_s,
                      "solve": r.timings.solve_s, "extract": r.timings.extract_s, "total": r.timings.total_s},
        "size": {"rows": r.num_rows, "cols": r.num_cols, "integer_cols": r.num_integer, "nonzeros": r.num_nonzeros},
    }


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
