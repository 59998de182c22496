"""siteplan against the textbook facility-location model (issue 21): one table.

    python benchmarks/ufl.py --kinds uncapacitated,loose,tight --seeds 0,1,2 --time-limit 300 \\
        --out docs/performance.md --section ufl

For every (kind, seed), one after the other (never two solves at once):

1. ``benchmarks/cfl.py`` writes the instance in siteplan's dataset format (``--kind``: tight,
   loose or uncapacitated, 100 sites x 1,000 regions unless ``--sites``/``--regions``);
2. **siteplan**: the whole pipeline in a fresh process (``benchmarks/run.py``'s worker:
   load -> prepare -> build -> solve_built, scenario defaults but the time limit), and its
   **floor**: HiGHS alone on the matrix siteplan handed to HiGHS (MPS), as in ``run.py``;
3. **textbook**: the strong model of the instance's kind (``cfl.strong_lp``: x_ij <= d_j y_i,
   capacity rows unless uncapacitated) built directly in highspy, in a fresh process, same time
   limit, gap (0.01 %) and one thread.

Reported: siteplan total (load to Plan) and HiGHS seconds (root cut loop, MIP start and MIP),
floor seconds, textbook seconds, ``total / floor``, ``siteplan / textbook`` (siteplan total /
textbook HiGHS seconds), ``HiGHS / textbook`` (siteplan's HiGHS seconds / textbook's), and the
objective's relative difference. With ``--section NAME`` only the block between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` of ``--out`` is replaced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfl import KINDS, instance, write  # noqa: E402
from run import machine, run_study, write_section  # noqa: E402

TEXTBOOK_CODE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from cfl import handbuilt
z = np.load(sys.argv[2])
inst = {k: z[k] for k in ("demand", "capacity", "fixed", "cost")}
inst["kind"] = sys.argv[3]
obj, bound, gap, sec, st = handbuilt(inst, float(sys.argv[4]), threads=1)
json.dump(dict(textbook_status=st, textbook_objective=obj, textbook_bound=bound, textbook_gap=gap,
               textbook_s=sec), open(sys.argv[5], "w"))
"""


def textbook(npz: Path, kind: str, time_limit: float, out: Path, timeout: float) -> dict:
    out.unlink(missing_ok=True)
    p = subprocess.run([sys.executable, "-c", TEXTBOOK_CODE, str(Path(__file__).resolve().parent), str(npz), kind,
                        str(time_limit), str(out)], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0 or not out.exists():
        return dict(textbook_status=f"error (exit {p.returncode}): {p.stderr[-300:]}")
    return json.loads(out.read_text())


def run_one(kind: str, seed: int, sites: int, regions: int, time_limit: float, work: Path, log=print) -> dict:
    inst = instance(seed, sites, regions, kind=kind)
    d = work / f"{kind}{seed}"
    scen = write(d, inst, seed)
    label = f"{kind} seed {seed}"
    rec = run_study(scen, label, f"{sites}x{regions}", {"solver.time_limit_s": time_limit}, d / "run",
                    timeout=4 * time_limit + 600, log=log)
    rec.update(kind=kind, seed=seed, ratio=inst["ratio"] if kind != "uncapacitated" else None)
    log(f"[{label}] textbook ...")
    rec.update(textbook(d / "instance.npz", kind, time_limit, d / "textbook.json", 4 * time_limit + 600))
    log(f"[{label}] textbook {rec.get('textbook_s', float('nan')):.1f} s: {rec['textbook_status']}")
    if rec.get("total_s") and rec.get("textbook_s"):
        rec["siteplan_over_textbook"] = rec["total_s"] / rec["textbook_s"]
        rec["highs_over_textbook"] = rec["highs_s"] / rec["textbook_s"] if rec.get("highs_s") else None
    if rec.get("objective") is not None and rec.get("textbook_objective") is not None:
        rec["objective_rel_diff"] = (rec["objective"] - rec["textbook_objective"]) / abs(rec["textbook_objective"])
    return rec


def _f(v, fmt="{:.1f}"):
    return "–" if v is None else fmt.format(v)


def markdown(rows: list[dict], command: str, date: str) -> str:
    head = ("| kind | seed | capacity ÷ demand | siteplan status | gap | total s | HiGHS s | floor s | textbook s "
            "| total ÷ floor | siteplan ÷ textbook | HiGHS ÷ textbook | objective − textbook |")
    lines = [f"Measured {date} with `{command}`; {machine()}.", "", head,
             "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        lines.append("| " + " | ".join([
            r["kind"], str(r["seed"]), _f(r.get("ratio"), "{:.2f}"), str(r.get("status")),
            _f(r.get("gap"), "{:.4%}"), _f(r.get("total_s")), _f(r.get("highs_s")),
            _f(r.get("floor_s")) + ("" if r.get("floor_status") in (None, "Optimal") else f" ({r['floor_status']})"),
            _f(r.get("textbook_s")) + ("" if r.get("textbook_status") == "Optimal" else
                                       f" ({r.get('textbook_status')}, {_f(r.get('textbook_gap'), '{:.3%}')})"),
            _f(r.get("total_over_floor"), "{:.2f}"), _f(r.get("siteplan_over_textbook"), "{:.2f}"),
            _f(r.get("highs_over_textbook"), "{:.2f}"),
            _f(r.get("objective_rel_diff"), "{:+.1e}")]) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default="uncapacitated,loose,tight")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/siteplan-ufl"))
    ap.add_argument("--out", type=Path, default=None, help="Markdown file (default: print)")
    ap.add_argument("--section", default=None)
    a = ap.parse_args(argv)
    kinds = [k for k in a.kinds.split(",") if k]
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        ap.error(f"unknown kind(s) {bad}; choose from {KINDS}")
    rows = []
    for seed in [int(s) for s in a.seeds.split(",") if s]:
        for kind in kinds:
            t = time.perf_counter()
            rows.append(run_one(kind, seed, a.sites, a.regions, a.time_limit, a.workdir))
            print(f"[{kind} seed {seed}] {time.perf_counter() - t:.0f} s in all", flush=True)
            (a.workdir / "ufl.json").write_text(json.dumps(rows, indent=1, default=str))
    command = "python benchmarks/ufl.py " + " ".join(argv if argv is not None else sys.argv[1:])
    body = markdown(rows, command, dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    if a.out is None:
        print(body)
    else:
        write_section(a.out, a.section, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
