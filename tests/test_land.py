"""Sites and demand regions in the sea are input errors (issue 20, item 4)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_a_site_in_the_gulf_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "example", data)
    doc = json.loads((data / "sites.geojson").read_text())
    moved = doc["features"][0]["properties"]["site_id"]
    doc["features"][0]["geometry"]["coordinates"] = [-94.5, 26.5]  # ~200 km off the Texas coast
    (data / "sites.geojson").write_text(json.dumps(doc))
    sc = yaml.safe_load((ROOT / "models" / "example.yaml").read_text())
    sc.update(dataset=str(data), catalog=str(ROOT / "data" / "catalog.yaml"))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc))
    r = subprocess.run([sys.executable, "-m", "siteplan", "validate", str(tmp_path / "s.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert f"sites.geojson: id={moved}: field=geometry: (-94.5, 26.5) is in the sea" in r.stderr
    assert r.stderr.count("in the sea") == 1  # the other sites (on land) pass
