"""Command-line interface: a thin layer over the library API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from siteplan import __version__
from siteplan.errors import InputError, SolveError

EXIT_INPUT, EXIT_SOLVE, EXIT_INVARIANT = 2, 3, 5
MAX_ALTERNATIVES = 20  # each alternative is a MIP as large as the study
EXIT_INTERRUPTED = 130  # Ctrl-C: the best plan found by then is written (marked "interrupted"), if there was one


def _parse_set(values: tuple[str, ...]) -> dict:
    import yaml

    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"expected KEY=VALUE, got {v!r}", param_hint="--set")
        k, val = v.split("=", 1)
        out[k.strip()] = yaml.safe_load(val)
    return out


@click.group()
@click.version_option(version=__version__, prog_name="siteplan")
def cli() -> None:
    """siteplan: plan AI data-center sites, GPUs, interconnects and cooling."""


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--override", "-o", multiple=True, help="Named override from the scenario file (repeatable).")
@click.option("--set", "set_values", multiple=True, help="KEY=VALUE by dotted key path (repeatable).")
def validate(scenario: Path, override: tuple[str, ...], set_values: tuple[str, ...]) -> None:
    """Check a scenario (or a sweep: every scenario of it), its catalog and its dataset; list every problem."""
    from siteplan.api import validate_scenario
    from siteplan.batch.sweep import is_sweep_file, validate_sweep

    if is_sweep_file(scenario):
        if override or set_values:
            raise click.UsageError("--override and --set apply to a scenario file, not to a sweep")
        probs = validate_sweep(scenario)
    else:
        probs = validate_scenario(scenario, override, _parse_set(set_values), where="--set")
    if probs:
        click.echo(f"{len(probs)} problem(s) found:", err=True)
        for p in probs:
            click.echo(f"  - {p}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"{scenario}: valid")


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--override", "-o", multiple=True, help="Named override from the scenario file (repeatable).")
@click.option("--set", "set_values", multiple=True, help="KEY=VALUE by dotted key path (repeatable).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results folder (default: results/<scenario name>).")
@click.option("--time-limit", type=float, default=None, help="Solver time limit (s).")
@click.option("--gap", type=float, default=None, help="Relative MIP gap.")
@click.option("--threads", type=int, default=None, help="Solver threads.")
@click.option("--no-exports", is_flag=True, help="Skip maps and report (write data files only).")
@click.option("--map-format", "map_formats", multiple=True, type=click.Choice(["png", "svg", "pdf"]),
              help="Static map format(s) (repeatable; default png).")
@click.option("--solver-log", is_flag=True, help="Show the HiGHS log.")
@click.option("--full-resolution", is_flag=True,
              help="If time slices were merged, also cost the plan's investments over every slice (an LP).")
@click.option("--alternatives", type=int, default=None,
              help="Also find this many near-optimal plans that differ most in sites and power "
                   "(default: the scenario's alternatives.count, 0 unless set).")
@click.option("--slack", default=None,
              help="Alternatives cost at most this much more than the best, as a share of its avoidable cost "
                   "(0.01 or 1%; default: the scenario's alternatives.slack, 1 %).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr (the summary is still printed).")
def solve(scenario: Path, override, set_values, out, time_limit, gap, threads, no_exports, map_formats,
          solver_log, full_resolution, alternatives, slack, quiet) -> None:
    """Solve a scenario and write its results folder."""
    from siteplan import interrupt

    # Ctrl-C anywhere in the command is a stop request (siteplan.interrupt): the solve stops with its
    # best plan, which is still written; a second Ctrl-C aborts (the results folder is left as it was)
    interrupt.clear()
    try:
        with interrupt.catching():
            _solve(scenario, override, set_values, out, time_limit, gap, threads, no_exports, map_formats,
                   solver_log, full_resolution, alternatives, slack, quiet)
    except KeyboardInterrupt:
        click.echo("aborted by a second Ctrl-C: nothing written", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _slack_share(slack) -> float | None:
    import math

    if slack is None:
        return None
    try:
        v = float(slack[:-1]) / 100.0 if str(slack).endswith("%") else float(slack)
    except ValueError:
        v = float("nan")
    if not (math.isfinite(v) and 0.0 < v <= 10.0):
        raise click.BadParameter(f"expected a share above 0 and at most 10 (0.01) or a percentage (1%), got {slack!r}",
                                 param_hint="--slack")
    return v


def _solve(scenario, override, set_values, out, time_limit, gap, threads, no_exports, map_formats,
           solver_log, full_resolution, alternatives, slack, quiet) -> None:
    """The ``solve`` command inside its interrupt guard: load, solve, write the folder, print the summary."""
    import time

    from siteplan.api import load

    t0 = time.perf_counter()
    slack_share = _slack_share(slack)
    if alternatives is not None and not 0 <= alternatives <= MAX_ALTERNATIVES:
        raise click.BadParameter(f"expected 0 to {MAX_ALTERNATIVES}, got {alternatives}", param_hint="--alternatives")
    progress = None if quiet else (lambda msg: click.echo(f"[{time.perf_counter() - t0:7.1f} s] {msg}", err=True))
    values = _scenario_values(set_values, time_limit, gap, threads)
    try:
        study = load(scenario, override, values, where="--set")
    except InputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)
    out = _results_folder(study, out)
    if progress:
        progress(f"loaded {study.scenario.name}: dataset {study.dataset.name} ({len(study.dataset.sites):,} sites, "
                 f"{len(study.dataset.substations):,} substations, {len(study.dataset.demand):,} demand regions)")
    opts = {"output": True} if solver_log else {}
    plan = _solve_or_exit(study, progress, alternatives, slack_share, opts)
    from siteplan.buildout import BuildOut

    if isinstance(plan, BuildOut):
        _write_buildout(plan, study, out, no_exports, map_formats or ("png",), progress)
        _exit_if_interrupted(plan.result)
        return
    if full_resolution:
        _full_resolution_check(plan, study, opts)
    from siteplan.results.summary import gap_words

    if progress:
        progress(f"{plan.result.termination.value}, {gap_words(plan.result)}; writing results to {out}")
    from siteplan.export.write import write_folder

    write_folder(plan, study, out, exports=not no_exports, map_formats=map_formats or ("png",), progress=progress,
                 where="--out")
    click.echo(plan.summary())
    if plan.alternatives:
        _echo_alternatives(plan, slack_share)
    elif alternatives or (alternatives is None and study.scenario.alternatives.count):
        used = study.scenario.alternatives.slack if slack_share is None else slack_share
        click.echo(f"no alternative within {used:.2%} of the avoidable cost differs from the best plan "
                   f"({plan.ds.attrs.get('alternatives_search', '')})")
    click.echo(f"results written to {out}")
    if plan.violations:
        click.echo(f"the plan breaks {len(plan.violations)} invariant(s) (listed above): a user extension "
                   "changed siteplan's constraints, or a bug; please report it", err=True)
        sys.exit(EXIT_INVARIANT)
    _exit_if_interrupted(plan.result)


def _scenario_values(set_values: tuple[str, ...], time_limit, gap, threads) -> dict:
    """The --set values, plus the solver options given on the command line (by dotted key path)."""
    values = _parse_set(set_values)
    # the solver options go into the scenario, so the manifest records what the run used
    for key, v in (("solver.time_limit_s", time_limit), ("solver.mip_rel_gap", gap), ("solver.threads", threads)):
        if v is not None:
            values[key] = v
    return values


def _results_folder(study, out: Path | None) -> Path:
    """The --out folder (default results/<scenario name>), checked before the solve; exits if unusable."""
    from siteplan import interrupt
    from siteplan.atomic import check_target

    if interrupt.requested():
        click.echo("interrupted before the solve: nothing written", err=True)
        sys.exit(EXIT_INTERRUPTED)
    out = out or Path("results") / study.scenario.name
    why = check_target(out, "--out")
    if why is not None:  # before the solve, not after it
        click.echo(f"--out {out}: {why}", err=True)
        sys.exit(EXIT_INPUT)
    return out


def _solve_or_exit(study, progress, alternatives, slack_share, opts: dict):
    """Solve the study (a Plan or a BuildOut); exit with the matching code when there is no plan."""
    from siteplan import interrupt
    from siteplan.api import solve as solve_study

    try:
        return solve_study(study, progress=progress, alternatives=alternatives, slack=slack_share, **opts)
    except SolveError as exc:
        click.echo(f"no plan: {exc}", err=True)
        sys.exit(EXIT_INTERRUPTED if interrupt.requested() else EXIT_SOLVE)
    except ValueError as exc:  # a request the study cannot take
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)


def _full_resolution_check(plan, study, opts: dict) -> None:
    """--full-resolution: cost a merged-slice plan's investments over every slice, into the plan's attrs."""
    from siteplan import interrupt
    from siteplan.api import evaluate_full_resolution
    from siteplan.prepare.slices import DESIGN_PEAK

    if interrupt.requested():
        click.echo("full-resolution check: skipped, the solve was interrupted", err=True)
    elif DESIGN_PEAK not in plan.ds["slice"].values:  # only merged studies have it (the name is reserved)
        click.echo("full-resolution check: the plan already uses every time slice", err=True)
    else:
        try:
            full = evaluate_full_resolution(plan, study, **opts)
        except (SolveError, ValueError) as exc:
            click.echo(f"full-resolution check: {exc}", err=True)
            plan.ds.attrs["full_resolution_status"] = f"failed: {exc}"
        else:
            plan.ds.attrs["full_resolution_status"] = "optimal"
            plan.ds.attrs["full_resolution_objective_usd_per_yr"] = full.objective


def _echo_alternatives(plan, slack_share) -> None:
    """Print the near-optimal alternatives of a single-period plan: table, checks, robust and shared choices."""
    from siteplan.alternatives import alternatives_checks, alternatives_table, robust_choices, shared_choices
    from siteplan.results.summary import site_label

    used = plan.alternatives[0].ds.attrs.get("slack", slack_share)
    click.echo("\nnear-optimal alternatives (within {:.2%} of the avoidable cost):".format(used))
    names = {r["site_id"]: site_label(r) for p in [plan, *plan.alternatives] for _, r in p.sites.iterrows()}
    tab = alternatives_table(plan, plan.alternatives)
    tab["open sites"] = [("; ".join(names.get(x, x) for x in str(v).split(", "))) for v in tab["open sites"]]
    tab["tiny sites"] = ["; ".join(names.get(x.split(" (")[0], x.split(" (")[0]) + " (" + x.split(" (", 1)[1]
                                   for x in str(v).split(", ") if " (" in x) or "none" for v in tab["tiny sites"]]
    click.echo(tab.to_string(float_format=lambda v: f"{v:,.1f}"))
    for c in alternatives_checks(plan.alternatives):
        click.echo(f"CHECK: {c}")
    rob = robust_choices(plan, plan.alternatives)
    rob.insert(0, "site", [names.get(i, i) for i in rob.index])
    click.echo(rob.to_string())
    click.echo("shared by every plan: " + "; ".join(shared_choices(plan, plan.alternatives)))
    click.echo("search: " + str(plan.ds.attrs.get("alternatives_search", "")))


def _exit_if_interrupted(result) -> None:
    """Exit with EXIT_INTERRUPTED after writing a plan when the user interrupted the command (the
    solve, the alternatives' search or the writing)."""
    import math

    from siteplan import interrupt
    from siteplan.solve import Termination

    if result.termination is Termination.INTERRUPTED:
        gap = f"gap {result.gap:.2%}" if math.isfinite(result.gap) else "no bound yet"
        click.echo(f"interrupted: the plan written is the best found before the interrupt ({gap}, not proven); "
                   "solve again for a better one", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if interrupt.requested():
        click.echo("interrupted after the solve (alternatives or exports may be incomplete); the plan is written",
                   err=True)
        sys.exit(EXIT_INTERRUPTED)


def _write_buildout(bo, study, out: Path, no_exports: bool, map_formats, progress) -> None:
    """A build-out's results folder: the timeline, its report, and a results folder per period."""
    from siteplan.results.summary import gap_words

    if progress:
        progress(f"{bo.result.termination.value}, {gap_words(bo.result)}; writing results to {out}")
    from siteplan.export.write import write_folder

    write_folder(bo, study, out, exports=not no_exports, map_formats=map_formats, progress=progress, where="--out")
    click.echo(bo.summary())
    if bo.alternatives:
        from siteplan.results.buildout_alternatives import (buildout_alternatives_checks, buildout_alternatives_table,
                                                            buildout_robust_choices, buildout_shared_choices)
        from siteplan.results.summary import site_label

        alts = [a.ds for a in bo.alternatives]
        click.echo("\nnear-optimal build-outs (within {:.2%} of the avoidable cost):".format(
            bo.alternatives[0].ds.attrs.get("slack", study.scenario.alternatives.slack)))
        click.echo(buildout_alternatives_table(bo.ds, alts).to_string(float_format=lambda v: f"{v:,.1f}"))
        names = {r["site_id"]: site_label(r) for a in [bo, *bo.alternatives] for p in a.plans.values()
                 for _, r in p.sites.iterrows() if r["open"]}
        for c in buildout_alternatives_checks(alts, names):
            click.echo(f"CHECK: {c}")
        click.echo(buildout_robust_choices(bo.ds, alts).to_string())
        click.echo("shared by every plan: " + "; ".join(buildout_shared_choices(bo.ds, alts)))
        click.echo("search: " + str(bo.ds.attrs.get("alternatives_search", "")))
    elif "alternatives_search" in bo.ds.attrs:
        used = float(bo.ds.attrs.get("alternatives_slack", study.scenario.alternatives.slack))
        click.echo(f"no alternative within {used:.2%} of the avoidable cost differs "
                   f"from the best build-out ({bo.ds.attrs['alternatives_search']})")
    click.echo(f"results written to {out}")
    if bo.violations:
        click.echo(f"the plan breaks {len(bo.violations)} invariant(s) (listed above): a user extension "
                   "changed siteplan's constraints, or a bug; please report it", err=True)
        sys.exit(EXIT_INVARIANT)


# Sub-commands that live with their own concern (exports, batch, data build). A module that is
# not part of this installation is skipped; any other import error is a bug and is raised.
_PLUGINS = (("siteplan.export.cli", "commands"), ("siteplan.batch.cli", "commands"),
            ("siteplan.databuild.cli", "commands"))


def _register_plugins() -> None:
    import importlib

    for mod_name, attr in _PLUGINS:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name and mod_name.startswith(exc.name):
                continue
            raise
        for cmd in getattr(mod, attr)():
            cli.add_command(cmd)


def main(args=None):
    """Entry point of the ``siteplan`` console script and of ``python -m siteplan``."""
    if not getattr(cli, "_plugins_registered", False):
        cli._plugins_registered = True
        _register_plugins()
    return cli(args, prog_name="siteplan")


if __name__ == "__main__":
    main()
