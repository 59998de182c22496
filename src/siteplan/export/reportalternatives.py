"""Near-optimal alternatives section of the plan report: a table of the alternatives, which
choices are robust and which are ties, and a small map of each."""

from __future__ import annotations

from siteplan.export import charts, style
from siteplan.export.reportpage import Block, Table
from siteplan.export.reporttables import _in_words, _lookups, _named


def _alternatives(plan) -> list[Block]:
    """Near-optimal alternatives: a table, which choices are robust and which are ties, small maps."""
    from siteplan.alternatives import alternatives_checks, alternatives_table, robust_choices, shared_choices
    from siteplan.export.staticmap import render_map

    f = style.fmt_num
    slack = plan.alternatives[0].ds.attrs.get("slack", float("nan"))
    out = [Block("h2", "Near-optimal alternatives"),
           Block("p", f"Plans costing at most {slack:.1%} of the avoidable cost more than the best, each as different "
                      "as possible from the best and from the ones before it (distance: sites open in one plan and not "
                      "the other, interconnect options built in one and not the other, generator types present at a "
                      "site in one and not the other; `siteplan.alternatives`).")]
    tab = alternatives_table(plan, plan.alternatives)
    rows = [[str(i), style.fmt_usd(r["annual cost (USD/yr)"]), style.fmt_usd(r["extra (USD/yr)"]),
             f(r["extra (% of avoidable)"], 1), str(r["choices apart from best"]),
             "; ".join(_in_words(x, plan) for x in str(r["open sites"]).split(", ")),
             f(r["IT MW"], 1), f(r["grid MW"], 1), f(r["on-site MW"], 1),
             "; ".join(_in_words(x, plan) for x in str(r.get("tiny sites", "") or "").split(", ") if x) or "none"]
            for i, r in tab.iterrows()]
    out.append(Block("table", table=Table(["plan", "USD/yr", "extra USD/yr", "extra % of avoidable", "choices apart",
                                           "open sites", "IT MW", "grid MW", "on-site MW", "tiny sites"], rows,
                                          "lrrrrlrrrl"),
                     extra={"id": "alternatives"}))
    checks = alternatives_checks(plan.alternatives)
    if checks:
        out.append(Block("p", "**Check before relying on these alternatives**"))
        out.extend(Block("p", f"**{c}**") for c in checks)
    out.append(Block("p", "**What every plan within the slack shares**: "
                     + _in_words("; ".join(shared_choices(plan, plan.alternatives)), plan)
                     + "."))
    rob = robust_choices(plan, plan.alternatives)
    names = _lookups(plan)["site"]
    rows = [[_named(names, str(s)), r["open in"], r["siting"], _in_words(r["power (best)"], plan), r["power"]]
            for s, r in rob.iterrows()]
    out.append(Block("p", "*robust*: every plan within the slack makes this choice; *tie*: some plan within the slack "
                          "does not, so the choice is not decided by cost alone. Search: "
                          + str(plan.ds.attrs.get("alternatives_search", "not recorded")) + "."))
    out.append(Block("table", table=Table(["site", "open in", "siting", "power in the best plan", "power"], rows),
                     extra={"id": "robust"}))
    for j, alt in enumerate(plan.alternatives, start=1):
        fig = render_map(alt, title=f"alternative {j}: {style.fmt_usd(alt.result.objective)}/yr", size_in=(12.0, 8.5))
        out.append(Block("img", name=f"alternative_{j}", png=charts.png_bytes(fig), text=f"Alternative {j}"))
    return out
