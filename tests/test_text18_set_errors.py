"""A value given on the command line (``--set``) or from Python (``set_values``) that fails a catalog
or dataset check is blamed on that value, not the scenario file, with the nearest valid name (issue 18
follow-up, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import siteplan
from siteplan.api import validate_scenario
from siteplan.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[1] / "models" / "example.yaml"


def _validate(*args):
    from siteplan.cli import cli

    return CliRunner().invoke(cli, ["validate", str(EXAMPLE), *args])


@pytest.mark.parametrize("setting, blamed, message", [
    ("rack_types=[gb200_nvl71]", "--set rack_types=", "did you mean 'gb200_nvl72'?"),
    ("workloads.inferenc.max_rtt_ms=10", "--set workloads.inferenc.max_rtt_ms=10", "did you mean 'inference'?"),
])
def test_cli_blames_the_set_value(setting, blamed, message):
    res = _validate("--set", setting)
    out = res.output + (res.stderr if hasattr(res, "stderr") else "")
    assert res.exit_code == 2, out
    line = next(x for x in out.splitlines() if message in x)
    assert line.strip().startswith(f"- {blamed}"), line


def test_api_blames_set_values():
    with pytest.raises(InputError) as exc:
        siteplan.load(EXAMPLE, set_values={"rack_types": ["gb200_nvl71"]})
    (q,) = exc.value.problems
    assert q.file.startswith("set_values['rack_types']") and "did you mean 'gb200_nvl72'?" in q.message
    probs = validate_scenario(EXAMPLE, set_values={"onsite": ["gas_recp"]})
    assert [q.file.split(" ")[0] for q in probs] == ["set_values['onsite']=['gas_recp']"]
    assert "did you mean 'gas_recip'?" in probs[0].message


def test_with_values_and_solve_blame_their_values():
    study = siteplan.load(EXAMPLE)
    with pytest.raises(InputError) as exc:
        study.with_values({"workloads.inferenc.max_rtt_ms": 10})
    assert exc.value.problems[0].file.startswith("values['workloads.inferenc.max_rtt_ms']=10")
    with pytest.raises(InputError) as exc:
        siteplan.solve(study, set_values={"rack_types": ["gb200_nvl71"]})
    assert exc.value.problems[0].file.startswith("set_values['rack_types']")
    assert "did you mean 'gb200_nvl72'?" in exc.value.problems[0].message


def test_file_mistake_still_blamed_on_the_file(tmp_path):
    root = EXAMPLE.parent.parent
    text = (EXAMPLE.read_text().replace("rack_types: [gb200_nvl72,", "rack_types: [gb200_nvl71,")
            .replace("dataset: ../data/example", f"dataset: {root / 'data' / 'example'}")
            .replace("catalog: ../data/catalog.yaml", f"catalog: {root / 'data' / 'catalog.yaml'}"))
    assert "gb200_nvl71" in text and str(root) in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    probs = validate_scenario(bad, set_values={"demand_scale": 1.0})
    assert [q.file for q in probs] == [str(bad)]
    assert "did you mean 'gb200_nvl72'?" in probs[0].message
