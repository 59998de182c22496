"""Sites and demand regions in the sea are input errors (issue 20, item 4)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _validate_moved(tmp_path, layer: str, id_field: str, lon_lat: list) -> tuple[str, subprocess.CompletedProcess]:
    """The example dataset with the first feature of ``layer`` moved to ``lon_lat``, validated."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "example", data)
    doc = json.loads((data / f"{layer}.geojson").read_text())
    moved = doc["features"][0]["properties"][id_field]
    doc["features"][0]["geometry"]["coordinates"] = lon_lat
    (data / f"{layer}.geojson").write_text(json.dumps(doc))
    sc = yaml.safe_load((ROOT / "models" / "example.yaml").read_text())
    sc.update(dataset=str(data), catalog=str(ROOT / "data" / "catalog.yaml"))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc))
    return moved, subprocess.run([sys.executable, "-m", "siteplan", "validate", str(tmp_path / "s.yaml")],
                                 capture_output=True, text=True)


def test_a_site_in_the_gulf_is_refused(tmp_path):
    moved, r = _validate_moved(tmp_path, "sites", "site_id", [-94.5, 26.5])  # ~200 km off the Texas coast
    assert r.returncode == 2, r.stderr
    assert f"sites.geojson: id={moved}: field=geometry: (-94.5, 26.5) is off US land" in r.stderr
    assert r.stderr.count("off US land") == 1  # the other sites (on land) pass


def test_a_site_in_mexico_is_refused_and_named_as_such(tmp_path):
    """Land beyond the US border is not "the sea": the message says off US land, sea or another country."""
    moved, r = _validate_moved(tmp_path, "demand", "region_id", [-101.5, 28.0])  # Coahuila, ~100 km past the Rio Grande
    assert r.returncode == 2, r.stderr
    assert f"demand.geojson: id={moved}: field=geometry: (-101.5, 28) is off US land" in r.stderr
    assert "in the sea or another country" in r.stderr


def test_generated_studies_lie_on_us_land(tmp_path):
    """benchmarks/generate.py scatters points over boxes that reach into Mexico and the Gulf; the
    generated datasets must pass the land check (they failed it before, at 1,000 sites)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", ROOT / "benchmarks" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for box, n in (("texas", 1000), ("us", 400)):
        study = gen.generate(tmp_path / box, sites=n, regions=30, slices=4, substations=n // 2, box=box)
        r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(study)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-3000:]
