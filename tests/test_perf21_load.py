"""Reading inputs faster gives what the slower readers gave (issue 21's profile of loading a study)."""

import csv
import io
from pathlib import Path

import pytest
import yaml

from siteplan import safe_load
from siteplan.errors import InputError
from siteplan.io import _plain_rows_of_one_width

REPO = Path(__file__).resolve().parents[1]


def _python_only(text):
    saved, safe_load._CLoader = safe_load._CLoader, None
    try:
        return safe_load.parse_yaml(text, "f.yaml")
    finally:
        safe_load._CLoader = saved


@pytest.mark.parametrize("path", ["data/catalog.yaml", "models/example.yaml", "models/texas.yaml"])
def test_libyaml_and_python_parsers_give_the_same_document(path):
    text = (REPO / path).read_text()
    assert safe_load.parse_yaml(text, path) == _python_only(text)


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "a: [1, 2\n", "x: &a [*a]\n",
                                  "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                                  + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                                            for p, c in zip("abcd", "bcde"))])
def test_a_yaml_problem_is_reported_as_the_python_parser_reports_it(text):
    with pytest.raises(InputError) as fast:
        safe_load.parse_yaml(text, "f.yaml")
    with pytest.raises(InputError) as slow:
        _python_only(text)
    assert [str(p) for p in fast.value.problems] == [str(p) for p in slow.value.problems]


def _widths(text):
    return {len(row) for row in csv.reader(io.StringIO(text)) if row}


@pytest.mark.parametrize("text", ["a,b,c\n1,2,3\n", "a,b,c\n1,2,3", "a,b,c\n\n1,2,3\n\n", "a,b,c\n1,2\n",
                                  "a,b\n1,2,3\n", "a,b\n \n", 'a,b\n"1,5",2\n', "a,b\r\n1,2\r\n", "a\nx\n"])
def test_the_quick_row_check_never_passes_rows_the_csv_module_finds_ragged(text):
    if _plain_rows_of_one_width(text):
        assert len(_widths(text)) <= 1
    if not any(ch in text for ch in '"\r\x00'):
        assert _plain_rows_of_one_width(text) == (len(_widths(text)) <= 1)


def test_libyaml_is_used_when_pyyaml_has_it():
    assert safe_load._CLoader is getattr(yaml, "CSafeLoader", None)
