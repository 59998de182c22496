"""Each solve strategy against its absence, side by side, on the study where it matters.

    python benchmarks/strategies.py --out docs/performance.md --section strategies --workdir /tmp/bench_strat
    python benchmarks/strategies.py --only cfl --out docs/performance.md --section strategies  # one group

With ``--section S`` each group replaces its own block ``S-<group>`` of ``--out``.

Every row is a fresh siteplan process (``benchmarks/run.py``'s worker, no floor): the default
settings, then the same study with one strategy switched off (or forced on). Groups:

- ``tiny``: the smoke test's size (``tests/test_benchmarks_smoke.py``).
- ``medium`` (generated 300 sites x 20 regions x 12 slices): disaggregated serve linking as rows
  (the default below 50,000 pairs) against none (only the aggregated capacity link).
- ``cfl`` (``benchmarks/cfl.py`` seed 0, 100 sites x 1,000 regions, 0.01 % gap): the root cut loop
  (default above 50,000 pairs) against all 100,000 links as rows and against none; the LP-guided
  MIP start forced on (``auto`` leaves it off at this tight gap).
- ``national`` (generated 2,000 x 100 x 48, 1 % gap, 600 s): the LP-guided start (``auto``: on)
  against none. Both on the automatically merged 8 slices (+ the zero-hour design-peak slice); the full 48 slices are in
  docs/performance.md's national section (no solution in 10 min).

The batch warm start (reusing a previous plan) is measured by ``siteplan batch --warm-start`` (see
the README's batch section). No number here is an assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import REPO, SIZES, machine, run_study, write_section  # noqa: E402

GROUPS = {
    "tiny": ("generated-tiny", [("default", {}), ("serve_linking: none", {"formulation.serve_linking": "none"})]),
    "medium": ("generated-medium", [("default (serve links as rows)", {}),
                                    ("serve_linking: none", {"formulation.serve_linking": "none"})]),
    "cfl": ("cfl-seed0", [("default (root cut loop, no start)", {}),
                          ("serve_linking: rows (100k link rows)", {"formulation.serve_linking": "rows"}),
                          ("serve_linking: none", {"formulation.serve_linking": "none"}),
                          ("mip_start: true", {"solver.mip_start": True})]),
    "national": ("generated-national", [("default (8 merged slices + design peak, LP-guided start)", {}),
                                        ("mip_start: false", {"solver.mip_start": False})]),
}

COLS = [("variant", "variant"), ("status", "status"), ("total_s", "total s"), ("highs_s", "HiGHS s"),
        ("rows", "rows"), ("cols", "cols"), ("objective", "objective"), ("gap", "gap"), ("nodes", "nodes"),
        ("root_cuts", "root cuts"), ("peak_mb", "peak MB")]


def _study(group: str, work: Path) -> Path:
    if group == "cfl":
        import cfl
        return cfl.write(work / "cfl0", cfl.instance(0), 0)
    from generate import generate
    return generate(work / group / "study", seed=0, **SIZES[group])


def _cell(v, key):
    if v is None or v == "":
        return "–"
    if key == "gap":
        return f"{100 * float(v):.3f} %"
    if key == "objective":
        return f"{float(v):.6g}"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="medium,cfl,national", help="comma-separated groups: " + ", ".join(GROUPS))
    ap.add_argument("--out", type=Path, default=None, help="Markdown file (with --section: replace that block)")
    ap.add_argument("--section", default=None)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=1500.0, help="per-process wall-clock limit (s)")
    a = ap.parse_args(argv)
    work = a.workdir or Path(tempfile.mkdtemp(prefix="siteplan-strat-"))
    head = (f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {machine()}. Command: `python benchmarks/strategies.py "
            + " ".join(sys.argv[1:] if argv is None else argv) + "`. One fresh process per row, 1 solver thread "
            "unless the scenario says otherwise; wall-clock seconds from scenario file to plan.")
    blocks = [head, ""]
    rows_all = {}
    for group in [g.strip() for g in a.only.split(",") if g.strip()]:
        label, variants = GROUPS[group]
        scenario = _study(group, work)
        rows = []
        for name, sv in variants:
            d = work / group / name.split(" ")[0].replace(":", "")
            rec = run_study(scenario, f"{label} / {name}", "", dict(sv), d, a.timeout, floor=False)
            rec["variant"] = name
            rows.append(rec)
            print(json.dumps({k: rec.get(k) for k, _ in COLS}), flush=True)
        rows_all[group] = rows
        blocks += [f"**{label}**", "", "| " + " | ".join(h for _, h in COLS) + " |",
                   "|" + "---|" * len(COLS)]
        blocks += ["| " + " | ".join(_cell(r.get(k), k) for k, _ in COLS) + " |" for r in rows]
        blocks.append("")
        if a.out:  # one block per group (``<section>-<group>``), so groups can be re-run one at a time
            write_section(a.out, f"{a.section}-{group}" if a.section else None, "\n".join(
                [head, ""] + blocks[blocks.index(f"**{label}**"):]))
        (work / "strategies.json").write_text(json.dumps(rows_all, indent=1, default=str))
    print("\n".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
