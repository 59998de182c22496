"""A short text summary of a build-out plan for the terminal."""

from __future__ import annotations

import pandas as pd

from siteplan.results.summary import _decision_gap_text, _fmt_usd, gap_words


def buildout_summary(bo) -> str:
    """Status, equivalent annual cost, per period the demand, IT, grid and on-site power, and per site
    when it opens and is energised."""
    r, ds = bo.result, bo.ds
    years = [int(y) for y in ds["period"].values]
    lines = [
        f"build-out {ds.attrs.get('scenario', '')}: {r.termination.value} (HiGHS: {r.highs_status}), "
        f"{gap_words(r)}{_decision_gap_text(r)}",
        f"equivalent annual cost {_fmt_usd(r.objective)}/yr over {', '.join(map(str, years))} "
        f"(NPV {_fmt_usd(float(ds.attrs.get('npv_usd', float('nan'))))} at {ds.attrs.get('start_year')}; "
        f"salvage value after the study {_fmt_usd(float(ds.attrs.get('salvage_usd', 0.0)))}, also at "
        f"{ds.attrs.get('start_year')})",
    ]
    lines += [f"INVARIANT VIOLATED: {v}" for v in bo.violations]
    lines.append("period      demand H100e   unmet H100e   IT MW   grid MW   on-site units own/rent   cost/yr")
    for j, y in enumerate(years):
        own = float(ds["onsite_units_owned"].values[:, :, j].sum()) if ds.sizes.get("generator", 0) else 0.0
        rent = float(ds["onsite_units_rented"].values[:, :, j].sum()) if ds.sizes.get("generator", 0) else 0.0
        lines.append(f"{y} ({int(ds['length_yr'].values[j])} yr) {float(ds['demand_h100e'].values[j]):>12,.0f} "
                     f"{float(ds['unmet_h100e'].values[j]):>13,.0f} {float(ds['it_mw'].values[:, j].sum()):>7,.0f} "
                     f"{float(ds['interconnect_contracted_mw'].values[:, j].sum()):>9,.0f} "
                     f"{own:>12,.0f}/{rent:<11,.0f} {_fmt_usd(float(ds['cost_usd_per_yr'].values[:, j].sum())):>10}")
    st = bo.sites
    if len(st):
        lines.append("sites (IT MW by period):")
        for s, x in st.iterrows():
            it = ", ".join(f"{x[f'it_mw_{y}']:,.0f}" for y in years)
            grid = f"grid from {int(x['grid_from'])}" if pd.notna(x["grid_from"]) else "no grid within the study"
            rent = [y for y in years if x[f"gen_units_rented_{y}"] > 0]
            own = [y for y in years if x[f"gen_units_owned_{y}"] > 0]
            bridge = (f"; rents turbines in {', '.join(map(str, rent))}" if rent else "") + \
                     (f"; owns plant in {', '.join(map(str, own))}" if own else "")
            lines.append(f"  {x['name']}: opens {x['opens']}, {grid}; IT {it}{bridge}")
    return "\n".join(lines)
