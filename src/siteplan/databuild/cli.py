"""``siteplan data build``: rebuild the bundled regional datasets from the raw public sources."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("data")
def data_group() -> None:
    """Bundled regional datasets."""


@data_group.command("build")
@click.option("--raw", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True,
              help="Folder with the raw public data (e.g. ../shared/data-sources).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Where to write data/<region>/.")
@click.option("--region", "regions", multiple=True, help="Only these regions (repeatable; default all).")
def build(raw: Path, out: Path, regions: tuple[str, ...]) -> None:
    """Build reduced, attributed datasets (byte-for-byte reproducible) from RAW into OUT."""
    from siteplan.databuild.build import main_build

    try:
        written = main_build(raw, out, list(regions) or None)
    except (FileNotFoundError, KeyError) as exc:
        raise click.ClickException(str(exc)) from None
    for p in written:
        click.echo(f"wrote {p}")


def commands() -> list[click.Command]:
    """Sub-commands registered by :mod:`siteplan.cli`."""
    return [data_group]
