"""The Python API takes every argument it is given; manifests, error messages and start-up say where
things come from (issue 18, items 1, 11, 12, 13 and 15)."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import siteplan
from siteplan.errors import InputError
from siteplan.results.folder import read_results, sha256

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models/example.yaml"


@pytest.fixture(scope="module")
def study():
    return siteplan.load(EXAMPLE)


def test_solve_applies_values_and_overrides_to_a_loaded_study(study):
    half = siteplan.solve(study, set_values={"demand_scale": 0.5})
    assert half.study.scenario.demand_scale == 0.5
    full = siteplan.solve(study)
    assert full.study.scenario.demand_scale == 1.0 and study.scenario.demand_scale == 1.0
    assert float(half.ds["it_mw"].sum()) < 0.7 * float(full.ds["it_mw"].sum())
    taxed = siteplan.solve(study, overrides=("carbon_price",))
    assert taxed.study.scenario.carbon.price_usd_per_t == 100
    with pytest.raises(InputError, match=r"overrides.carbon_prise: no such override \(did you mean 'carbon_price'\?\)"):
        siteplan.solve(study, overrides=("carbon_prise",))
    # from Python the mistake is named in the API's words (set_values=), not the CLI's (--set)
    with pytest.raises(InputError, match=r"set_values\['solver.time_limt_s'\]=5 .*unknown key \(did you mean 'time_limit_s'\?\)"):
        siteplan.solve(study, set_values={"solver.time_limt_s": 5})


def test_with_values_returns_a_new_study_and_reuses_unchanged_files(study):
    changed = study.with_values({"carbon.price_usd_per_t": 50}, overrides="no_water")
    assert changed.scenario.carbon.price_usd_per_t == 50
    assert changed.scenario.water.allow_water_cooling is False
    assert study.scenario.carbon.price_usd_per_t != 50 and study.scenario.water.allow_water_cooling is True
    assert changed.dataset is study.dataset and changed.catalog is study.catalog
    with pytest.raises(InputError, match="field=demand_scale"):
        study.with_values({"demand_scale": -1})


def test_plan_write_writes_a_complete_folder(study, tmp_path):
    plan = siteplan.solve(study)
    out = plan.write(tmp_path / "res", exports=False)
    back = read_results(out)
    assert back.objective == pytest.approx(plan.objective, rel=1e-12)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.gpkg", "plan.nc", "sites.csv",
                                                      "summary.txt"]
    plan.write(out, exports=True)  # a results folder is replaced, with the exports this time
    assert (out / "map.png").exists() and (out / "report.html").exists()


def test_manifest_has_time_version_commit_and_relative_inputs(study, tmp_path):
    out = siteplan.solve(study).write(tmp_path / "res", exports=False)
    man = json.loads((out / "manifest.json").read_text())
    created = datetime.fromisoformat(man["created_utc"])
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - created) < timedelta(hours=1)
    assert man["siteplan"]["version"] == siteplan.__version__
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:  # a checkout (CI, developers); an installed wheel records None
        assert man["siteplan"]["git_commit"].split("+")[0] == head.stdout.strip()
    for name, rec in man["inputs"].items():
        assert not Path(rec["path"]).is_absolute(), name
        assert sha256(EXAMPLE.parent / rec["path"]) == rec["sha256"], name
    assert man["inputs"]["scenario"]["path"] == "example.yaml"


def test_error_messages_say_where_the_value_came_from(tmp_path):
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(EXAMPLE), "--set", "netwrk.route_factor=2"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "--set netwrk.route_factor=2 (on example.yaml): field=netwrk: unknown key (did you mean 'network'?)" in r.stderr
    bad = tmp_path / "s.yaml"
    bad.write_text(EXAMPLE.read_text().replace("demand_scale:", "demand_scal:")
                   .replace("../data/", str(ROOT / "data") + "/"))
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and "field=demand_scal: unknown key (did you mean 'demand_scale'?)" in r.stderr
    one = siteplan.load(EXAMPLE, overrides="carbon_price")  # a string is one override name, not letters
    assert one.scenario.carbon.price_usd_per_t == 100


def test_the_command_line_starts_without_the_modelling_stack():
    # `siteplan --help` took 1.6-2.9 s because `import siteplan` loaded Pyomo, GeoPandas and xarray
    code = ("import sys; from siteplan.cli import cli, _register_plugins; _register_plugins(); "
            "heavy = [m for m in ('pyomo', 'geopandas', 'xarray', 'networkx', 'pandas', 'highspy') if m in sys.modules]; "
            "print(','.join(heavy))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_the_model_variables_page_is_current():
    from siteplan.model_doc import model_doc

    page = (ROOT / "docs/model_variables.md").read_text()
    assert page == model_doc(), "regenerate: python -m siteplan.model_doc > docs/model_variables.md"
    assert "| Var | `open` | SITES | site is developed |" in page


def test_a_misspelt_workload_is_the_scenarios_mistake(tmp_path):
    text = EXAMPLE.read_text().replace("  inference:", "  infrence:").replace("../data/", str(ROOT / "data") + "/")
    assert "infrence:" in text
    bad = tmp_path / "s.yaml"
    bad.write_text(text)
    with pytest.raises(InputError) as exc:
        siteplan.load(bad)
    (q,) = exc.value.problems
    assert q.file == str(bad) and q.field == "workloads.infrence"
    assert "no demand column 'infrence_gpus'" in q.message and "(did you mean 'inference'?)" in q.message
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and "field=workloads.infrence" in r.stderr


def test_a_misspelt_extra_workload_beside_every_real_one_is_the_scenarios_mistake():
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(EXAMPLE),
                        "--set", "workloads.inferense.max_rtt_ms=5"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "field=workloads.inferense: no demand column 'inferense_gpus'" in r.stderr
    assert "(did you mean 'inference'?)" in r.stderr


def test_what_limits_each_site_is_said():
    import numpy as np
    import pandas as pd

    from siteplan.results.plan import site_limits

    tab = pd.DataFrame({"open": [True, True, True, False], "it_mw": [100.0, 50.0, 80.0, 0.0],
                        "max_it_mw": [100.0, 200.0, 200.0, 50.0], "interconnect_mw": [10.0, 195.2, 40.0, 0.0],
                        "onsite_mw": [0.0, 0.0, 237.9, 0.0]})
    got = site_limits(tab, np.array([70.0, 195.2, 200.0, 0.0]), np.array([250.0] * 4), 18.3)
    assert got == ["site's IT limit (100 MW)", "grid connection at its most (195.2 MW)",
                   "on-site plant at the site's cap (250 MW)", ""]
    plan = siteplan.solve(EXAMPLE)
    assert "limited_by" in plan.sites.columns
