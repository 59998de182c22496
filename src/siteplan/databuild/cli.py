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
@click.option("--carbon-rate", type=click.Choice(["average", "nonbaseload"]), default="average", show_default=True,
              help="eGRID subregion rate: total output (eGRID2022) or non-baseload output (eGRID2019, the newest "
                   "with it).")
@click.option("--carbon-shape", type=click.Choice(["cambium", "flat"]), default="cambium", show_default=True,
              help="Carbon over the slices: NREL Cambium's swing over the slices added to the eGRID mean, or flat.")
def build(raw: Path, out: Path, regions: tuple[str, ...], carbon_rate: str, carbon_shape: str) -> None:
    """Build reduced, attributed datasets (byte-for-byte reproducible) from RAW into OUT.

    The bundled data/ is built with the defaults."""
    from siteplan.databuild.build import main_build

    try:
        written = main_build(raw, out, list(regions) or None, click.echo, carbon_rate, carbon_shape)
    except (FileNotFoundError, KeyError) as exc:
        raise click.ClickException(str(exc)) from None
    for p in written:
        click.echo(f"wrote {p}")


def commands() -> list[click.Command]:
    """Sub-commands registered by :mod:`siteplan.cli`."""
    return [data_group]
