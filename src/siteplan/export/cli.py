"""``siteplan map`` and ``siteplan report``: re-create the exports from a results folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_INPUT = 2


def _load(results: Path):
    from siteplan.atomic import missing_files
    from siteplan.results.folder import read_results

    missing = missing_files(results)
    if missing:
        click.echo(f"{results}: not a complete siteplan results folder (missing {', '.join(missing)}); "
                   "solve the study again", err=True)
        sys.exit(EXIT_INPUT)
    from siteplan.results.folder import read_manifest

    try:
        read_manifest(results)
        plan = read_results(results)
        if "open" not in plan.sites.columns or "site" not in plan.ds.dims:
            raise ValueError("plan.gpkg or plan.nc lacks the plan's sites")
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:  # damaged or foreign files
        click.echo(f"{results}: cannot read the results folder ({type(exc).__name__}: {exc}); "
                   "it is damaged or not written by siteplan: solve the study again", err=True)
        sys.exit(EXIT_INPUT)
    return plan


@click.command("map")
@click.argument("results", type=click.Path(path_type=Path, file_okay=False))
@click.option("--format", "formats", default="png", show_default=True,
              help="Static map formats, comma-separated: png, svg, pdf.")
@click.option("--no-html", is_flag=True, help="Skip the interactive map.html.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write here instead of into RESULTS.")
def map_cmd(results: Path, formats: str, no_html: bool, out: Path | None) -> None:
    """Draw map.png (and svg/pdf) and the self-contained map.html from a results folder."""
    from siteplan.export.htmlmap import write_html_map
    from siteplan.export.staticmap import save_map

    plan = _load(results)
    out = out or results
    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in fmts if f.lower() not in ("png", "svg", "pdf")]
    if bad:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad)}; use png, svg or pdf", param_hint="--format")
    for p in save_map(plan, out, formats=fmts).values():
        click.echo(f"wrote {p}")
    if not no_html:
        click.echo(f"wrote {write_html_map(plan, out / 'map.html')}")


@click.command("report")
@click.argument("results", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Write here instead of into RESULTS.")
def report_cmd(results: Path, out: Path | None) -> None:
    """Write report.html and report.md (with charts) from a results folder."""
    from siteplan.export.report import write_report
    from siteplan.results.folder import read_manifest

    plan = _load(results)
    paths = write_report(plan, out or results, scenario=read_manifest(results).get("scenario"))
    for p in paths[:2]:
        click.echo(f"wrote {p}")


@click.command("compare")
@click.argument("a", type=click.Path(path_type=Path, file_okay=False))
@click.argument("b", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also write compare.md and compare.png here.")
def compare_cmd(a: Path, b: Path, out: Path | None) -> None:
    """Compare two results folders: sites opened/closed, power, costs by category, emissions, water."""
    from siteplan.results.compare import compare, write_comparison

    cmp = compare(_load(a), _load(b), names=(a.name or str(a), b.name or str(b)))
    click.echo(cmp.text)
    click.echo("")
    click.echo(cmp.totals.to_string(float_format=lambda v: f"{v:,.1f}"))
    click.echo("")
    click.echo(cmp.costs.to_string(float_format=lambda v: f"{v:,.0f}"))
    if len(cmp.sites):
        click.echo("")
        click.echo(cmp.sites.to_string(float_format=lambda v: f"{v:,.1f}"))
    if out is not None:
        for p in write_comparison(cmp, out):
            click.echo(f"wrote {p}")


def commands() -> list[click.Command]:
    """Sub-commands registered on the ``siteplan`` CLI."""
    return [map_cmd, report_cmd, compare_cmd]
