"""The report says where interconnect lengths come from, and warns when every line is as long as every
other (the bundled datasets place parcels a fixed distance from a substation; issue 18 review item 13)."""

from types import SimpleNamespace

import pandas as pd

from siteplan.export.report import _line_length_note


def test_equal_lengths_are_flagged_and_different_ones_are_not():
    same = _line_length_note(SimpleNamespace(interconnects=pd.DataFrame({"line_km": [3.6, 3.6, 3.6]})))
    assert "screening estimate" in same and "Every line here is 3.6 km" in same
    apart = _line_length_note(SimpleNamespace(interconnects=pd.DataFrame({"line_km": [3.6, 7.2]})))
    assert "screening estimate" in apart and "Every line" not in apart
    assert _line_length_note(SimpleNamespace(interconnects=pd.DataFrame({"line_km": []}))) == ""
    assert _line_length_note(SimpleNamespace(interconnects=None)) == ""
