"""Sweep files: validation, deterministic expansion, stable ids; resource planning; atomic writes."""

import json
from pathlib import Path

import pytest
import yaml

from siteplan.batch.runner import BatchError, plan_local, read_status, write_scenario
from siteplan.batch.sweep import load_sweep, scenario_id
from siteplan.config import scenario_from_dict
from siteplan.errors import InputError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "models/example.yaml"
DATA = REPO / "data/example"


def _write(tmp_path: Path, body: dict, name: str = "sweep.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(body, sort_keys=False))
    return p


def _sweep(**kw) -> dict:
    body = {"name": "t", "base": str(EXAMPLE), "regions": [str(DATA)],
            "grid": {"carbon.price_usd_per_t": [0, 50, 100], "demand_scale": [0.5, 1.0]},
            "zip": [{"horizon_yr": [2, 4], "water.allow_water_cooling": [False, True]}]}
    body.update(kw)
    return body


def test_expansion_is_cartesian_times_zip_and_deterministic(tmp_path):
    sw = load_sweep(_write(tmp_path, _sweep()))
    assert len(sw) == 3 * 2 * 2
    assert sw.param_keys == ("carbon.price_usd_per_t", "demand_scale", "horizon_yr", "water.allow_water_cooling")
    # zipped keys vary together
    assert {(s.params["horizon_yr"], s.params["water.allow_water_cooling"]) for s in sw.specs} == {(2, False), (4, True)}
    # the grid's last key varies fastest, in file order
    assert [s.params["carbon.price_usd_per_t"] for s in sw.specs[:4]] == [0, 0, 0, 0]
    assert [s.params["demand_scale"] for s in sw.specs[:4]] == [0.5, 0.5, 1.0, 1.0]
    assert len({s.id for s in sw.specs}) == len(sw)
    again = load_sweep(_write(tmp_path, _sweep(), "again.yaml"))
    assert [s.id for s in again.specs] == [s.id for s in sw.specs]
    assert [s.spec_hash for s in again.specs] == [s.spec_hash for s in sw.specs]


def test_ids_do_not_depend_on_key_order_or_other_values(tmp_path):
    a = load_sweep(_write(tmp_path, _sweep(zip=[]), "a.yaml"))
    b = load_sweep(_write(tmp_path, _sweep(zip=[], grid={"demand_scale": [1.0, 0.5],
                                                         "carbon.price_usd_per_t": [100, 0, 50]}), "b.yaml"))
    assert {s.id for s in a.specs} == {s.id for s in b.specs}
    c = load_sweep(_write(tmp_path, _sweep(zip=[], grid={"carbon.price_usd_per_t": [50], "demand_scale": [1.0]}),
                          "c.yaml"))
    assert c.specs[0].id in {s.id for s in a.specs}
    sid = c.specs[0].id
    assert sid.startswith("example_price_usd_per_t-50_demand_scale-1_") and len(sid.rsplit("_", 1)[1]) == 8
    assert sid == scenario_id("example", {"demand_scale": 1.0, "carbon.price_usd_per_t": 50})


def test_specs_are_plain_data_and_valid_scenarios(tmp_path):
    sw = load_sweep(_write(tmp_path, _sweep()))
    spec = sw.specs[-1].to_dict()
    assert json.loads(json.dumps(spec)) == spec  # workers get JSON-able dicts, never models
    sc = scenario_from_dict(spec["scenario"], base_dir=EXAMPLE.parent)
    assert sc.name == sw.specs[-1].id
    assert sc.dataset == DATA.resolve()
    assert sc.carbon.price_usd_per_t == 100 and sc.horizon_yr == 4 and sc.water.allow_water_cooling


def test_regions_glob_and_scenario_files(tmp_path):
    for r in ("a", "b"):
        (tmp_path / "data" / r).mkdir(parents=True)
        for f in DATA.iterdir():
            (tmp_path / "data" / r / f.name).symlink_to(f)
    (tmp_path / "data" / "not_a_dataset").mkdir()
    sw = load_sweep(_write(tmp_path, _sweep(regions="data/*", grid={"demand_scale": [1.0]}, zip=[])))
    assert sw.regions == ("a", "b")
    sw2 = load_sweep(_write(tmp_path, {"name": "s", "regions": [str(EXAMPLE)], "grid": {"demand_scale": [1, 2]}},
                            "s2.yaml"))
    assert sw2.regions == ("example",) and len(sw2) == 2


@pytest.mark.parametrize("change, field, words", [
    ({"grid": {"carbon.prise_usd_per_t": [1]}}, "carbon.prise_usd_per_t", "unknown key"),
    ({"grid": {"demand_scale": ["lots"]}}, "demand_scale", "number"),
    ({"zip": [{"horizon_yr": [2, 4], "demand_scale": [1.0]}]}, "zip[0]", "equal length"),
    ({"grid": {"dataset": ["x"]}}, "dataset", "regions"),
    ({"regions": ["no/such/folder"]}, "regions[0]", "no such"),
    ({"gird": {}}, "gird", "unknown key"),
    ({"grid": {"demand_scale": []}}, "grid", "no values"),
    ({"set": {"demand_scale": 2}, "grid": {"demand_scale": [1]}}, "set.demand_scale", "both"),
    ({"zip": [], "set": {"horizon_yr": None, "start_year": 2026, "periods": [{"year": 2028, "length_yr": 2}]}},
     "periods", "build-out"),
])
def test_bad_sweeps_name_file_and_key(tmp_path, change, field, words):
    path = _write(tmp_path, _sweep(**change))
    with pytest.raises(InputError) as ei:
        load_sweep(path)
    probs = ei.value.problems
    assert any(p.file == str(path.resolve()) and p.field and p.field.startswith(field) and words in p.message
               for p in probs), probs


def test_never_oversubscribe_by_default():
    assert plan_local(None, None, cores=2, n_tasks=10) == (2, 1)
    assert plan_local(None, 2, cores=2, n_tasks=10) == (1, 2)
    assert plan_local(2, None, cores=2, n_tasks=10) == (2, 1)
    assert plan_local(4, None, cores=8, n_tasks=10) == (4, 2)
    assert plan_local(None, None, cores=8, n_tasks=3) == (3, 1)  # no idle workers
    with pytest.raises(BatchError, match="cores"):
        plan_local(2, 2, cores=2, n_tasks=10)
    assert plan_local(2, 2, cores=2, n_tasks=10, allow_oversubscribe=True) == (2, 2)


def test_write_scenario_is_atomic_and_replaces(tmp_path):
    rec = {"id": "s1", "status": "error", "reason": "boom"}
    write_scenario(tmp_path, rec, {"error.txt": b"trace"})
    assert read_status(tmp_path, "s1")["status"] == "error"
    write_scenario(tmp_path, {"id": "s1", "status": "optimal"}, {"plan.nc": b"x", "sub/a.txt": b"y"})
    folder = tmp_path / "scenarios" / "s1"
    assert read_status(tmp_path, "s1")["status"] == "optimal"
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["a.txt", "plan.nc", "status.json"]
    assert [p.name for p in (tmp_path / "scenarios").iterdir()] == ["s1"]  # no temp folders left


def test_a_plan_that_breaks_an_invariant_is_a_batch_failure(tmp_path, monkeypatch):
    """Stand-in for a broken rule (check_plan patched): the record says invalid_plan, with the rule."""
    import warnings

    import siteplan.results.invariants
    from siteplan.batch.runner import FAILED, solve_spec

    spec = load_sweep(_write(tmp_path, _sweep(grid={"demand_scale": [0.5]}, zip=[]))).specs[0].to_dict()
    monkeypatch.setattr(siteplan.results.invariants, "check_plan", lambda plan, prep, tol=1e-5: ["site X: broken rule"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = solve_spec(spec)["record"]
    assert rec["status"] == "invalid_plan" and rec["status"] in FAILED
    assert rec["violations"] == ["site X: broken rule"] and "broken rule" in rec["reason"]
    assert rec["headline"] is None and rec["invalid_headline"] is not None  # kept out of batch.csv


def test_paths_set_in_a_sweep_are_relative_to_the_sweep_file(tmp_path):
    import os

    catalog = REPO / "data/catalog.yaml"
    (tmp_path / "sweeps").mkdir()
    rel = os.path.relpath(catalog, tmp_path / "sweeps")
    sw = load_sweep(_write(tmp_path / "sweeps", _sweep(set={"catalog": rel}, grid={"demand_scale": [1.0]}, zip=[])))
    assert sw.specs[0].scenario["catalog"] == str(catalog.resolve())
