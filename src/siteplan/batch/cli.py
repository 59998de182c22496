"""``siteplan batch``: a thin layer over :func:`siteplan.batch.runner.run_batch`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_INPUT, EXIT_FAILED, EXIT_INTERRUPTED = 2, 4, 130


@click.command("batch")
@click.argument("sweep", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: results/batch/<sweep name>).")
@click.option("--workers", "-w", type=int, default=None,
              help="Local worker processes (default: cores // threads-per-solve).")
@click.option("--threads-per-solve", "-t", type=int, default=None,
              help="HiGHS threads per scenario (default: what fits the cores; 1 if --workers is not given).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Existing Dask scheduler (tcp://host:port) instead of a local cluster.")
@click.option("--resume", is_flag=True,
              help="Keep finished scenarios in --out whose inputs are unchanged (scenario values, dataset files and "
                   "catalog, by content hash); run the failed, missing and changed ones.")
@click.option("--exports", is_flag=True, help="Also write maps and the report of every scenario.")
@click.option("--allow-oversubscribe", is_flag=True, help="Allow workers x solver threads > cores.")
@click.option("--dry-run", is_flag=True, help="List the expanded scenarios and exit.")
@click.option("--warm-start", is_flag=True,
              help="Start each solve from the previous plan of the same worker and dataset (faster; plans may "
                   "differ from cold solves within the gap).")
def batch(sweep: Path, out, workers, threads_per_solve, scheduler, resume, exports, allow_oversubscribe,
          dry_run, warm_start) -> None:
    """Run a sweep (base scenario x regions x parameter grid) on Dask distributed.

    Writes one results folder per scenario (scenarios/<id>/, with status.json), then batch.nc,
    batch.csv, batch_sites.csv (numbers, counts and True/False as in sites.csv: docs/outputs.md) and
    batch.png. Exit codes: 0 all scenarios have a plan; 2 invalid
    sweep, or the batch cannot start (e.g. --out holds results and --resume is not given); 4 some
    scenarios failed (recorded, see the summary); 130 interrupted (finished ones are kept: rerun
    with --resume).
    """
    from siteplan.batch.runner import BatchError, run_batch
    from siteplan.batch.sweep import load_sweep
    from siteplan.errors import InputError

    try:
        sw = load_sweep(sweep)
    except InputError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)
    if dry_run:
        click.echo(f"{sw.name}: {len(sw)} scenario(s), regions {', '.join(sw.regions)}; "
                   f"swept: {', '.join(sw.param_keys) or '(none)'}")
        for s in sw.specs:
            click.echo(f"  {s.id}")
        return
    from siteplan.atomic import creatable

    target = out or Path("results") / "batch" / sw.name
    why = creatable(target)
    if why is not None:  # before any scenario runs
        click.echo(f"--out {target}: {why}", err=True)
        sys.exit(EXIT_INPUT)
    if scheduler and workers is not None:
        click.echo("batch: --workers is ignored with --scheduler (the cluster's workers are used)", err=True)
    try:
        res = run_batch(sw, out=out, workers=workers, threads_per_solve=threads_per_solve, scheduler=scheduler,
                        resume=resume, exports=exports, allow_oversubscribe=allow_oversubscribe, progress=True,
                        warm_start=warm_start, from_cli=True)
    except BatchError as exc:
        click.echo(f"batch: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    if not res.ok:
        sys.exit(EXIT_FAILED)


def commands() -> list[click.Command]:
    """Commands registered by ``siteplan.cli``."""
    return [batch]
