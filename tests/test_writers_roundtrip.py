"""Writers keep every number: what is written reads back as the same float (issue 20, item 11)."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import siteplan
from siteplan.io.writer import _csv_cell, write_geojson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tiny import site, write_tiny  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# many significant digits, in plausible ranges (the loaders check ranges)
PRICES = [58.123456789012345, 41.98765432109876]
LAND_COST = 123456789.0  # the example: 6 significant digits made it 123,457,000
MAX_IT = 87.65432109876543
RTT = 12.345678901234567


@pytest.mark.parametrize("value", [123456789.0, 123456789.123, 0.1 + 0.2, 1e-9, 1.2345678901234567e-5,
                                   6.02214076e23, -4.000000000000001, 2.0 ** 0.5])
def test_csv_cell_reads_back_the_same_float(value):
    assert float(_csv_cell(value)) == value
    assert float(_csv_cell(np.float64(value))) == value


def test_dataset_files_read_back_with_every_digit(tmp_path):
    path = write_tiny(tmp_path, price=PRICES,
                      sites=[site("s1", max_it_mw=MAX_IT, land_cost_usd=LAND_COST)],
                      latency=[{"site_id": "s1", "region_id": "r1", "rtt_ms": RTT}])
    data = tmp_path / "data"
    # the raw files, read by pandas / json
    prices = pd.read_csv(data / "prices.csv")
    assert prices["energy_price_usd_per_mwh"].tolist() == PRICES
    assert pd.read_csv(data / "latency.csv")["rtt_ms"].tolist() == [RTT]
    props = json.loads((data / "sites.geojson").read_text())["features"][0]["properties"]
    assert props["land_cost_usd"] == LAND_COST and props["max_it_mw"] == MAX_IT
    # and through siteplan's own loader
    ds = siteplan.load(path).dataset
    assert sorted(ds.prices["energy_price_usd_per_mwh"].tolist()) == sorted(PRICES)
    assert float(ds.sites["land_cost_usd"].iloc[0]) == LAND_COST
    assert float(ds.sites["max_it_mw"].iloc[0]) == MAX_IT
    assert float(ds.latency["rtt_ms"].iloc[0]) == RTT


def test_geojson_properties_keep_small_numbers(tmp_path):
    write_geojson(tmp_path / "x.geojson", [{"id": "a", "lon": -97.0, "lat": 31.0, "v": 1.2345678901e-7,
                                            "w": np.float64(123456789.987654321)}])
    props = json.loads((tmp_path / "x.geojson").read_text())["features"][0]["properties"]
    assert props["v"] == 1.2345678901e-7  # 6 decimals made this 0.0
    assert props["w"] == float(np.float64(123456789.987654321))


def test_results_sites_csv_round_trips_the_plan(tmp_path):
    """results/folder.py's sites.csv reads back as the table it wrote (numbers rounded by unit, no float
    noise: :data:`siteplan.results.folder.CSV_DECIMALS`), each within half its last decimal of the plan's
    exact floats (plan.nc keeps them); an unlimited water limit is an empty cell."""
    from siteplan.results.folder import CSV_DECIMALS, sites_csv_table, write_results

    study = siteplan.load(ROOT / "models" / "example.yaml")
    plan = siteplan.solve(study, threads=1)
    write_results(plan, study, tmp_path / "res")
    back = pd.read_csv(tmp_path / "res" / "sites.csv")
    sites = plan.sites.drop(columns="geometry")
    table = sites_csv_table(sites)
    floats = [c for c in sites.columns if sites[c].dtype.kind == "f"]
    assert floats
    for c in floats:
        np.testing.assert_array_equal(back[c].to_numpy(float), table[c].to_numpy(float), err_msg=c)
        nd = next((d for suffix, d in CSV_DECIMALS if c.endswith(suffix)), None)
        want = sites[c].to_numpy(float)
        if c == "water_limit_m3_per_yr":
            want = np.where(np.isfinite(want), want, np.nan)
        np.testing.assert_allclose(back[c].to_numpy(float), want, rtol=0,
                                   atol=0.5 * 10.0 ** -nd + 1e-12 if nd is not None else 0, err_msg=c)


# --------------------------------------------------------------------------- map.html keeps names intact

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = ["<!--<script>", "</script><b>bold", "a & b --> <!-- c", "<script>alert(1)</script>", "x</SCRIPT >y"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_map_html_shows_hostile_site_names_as_text(tmp_path):
    """Site names with ``<!--``, ``<script`` or ``</script>`` neither blank map.html nor run as markup."""
    import html
    import re
    import shutil
    import subprocess

    import yaml

    from siteplan.export.htmlmap import write_html_map

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "example", data)
    doc = json.loads((data / "sites.geojson").read_text())
    names = {}
    for i, f in enumerate(doc["features"]):
        f["properties"]["name"] = f"{HOSTILE[i % len(HOSTILE)]} {i}"
        names[f["properties"]["site_id"]] = f["properties"]["name"]
    (data / "sites.geojson").write_text(json.dumps(doc))
    sc = yaml.safe_load((ROOT / "models" / "example.yaml").read_text())
    sc.update(dataset=str(data), catalog=str(ROOT / "data" / "catalog.yaml"))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc))
    plan = siteplan.solve(siteplan.load(tmp_path / "s.yaml"), threads=1)
    page = write_html_map(plan, tmp_path / "map.html")
    text = page.read_text()
    payload = re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', text, re.S).group(1)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    cands = json.loads(payload)["candidates"]
    assert cands and all(c["name"] == names[c["id"]] for c in cands)  # JSON.parse gives the names back

    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,900", "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    assert '<body data-ready="1"' in dom  # the map's script ran to the end
    errors = re.search(r'<pre id="js-errors">(.*?)</pre>', dom, re.S)
    assert errors is not None and errors.group(1).strip() == ""
    open_ids = plan.sites.loc[plan.sites["open"] > 0.5, "site_id"].astype(str).tolist()
    assert open_ids
    labels = re.findall(r'<text class="site-label"[^>]*>(.*?)</text>', dom, re.S)
    assert len(labels) == len(open_ids)
    # a label's first line (tspan) is the site's name, character for character
    first = [html.unescape(m.group(1)) for lab in labels
             for m in [re.match(r'<tspan class="site-name"[^>]*>(.*?)</tspan>', lab, re.S)] if m]
    assert len(first) == len(labels), labels
    for sid in open_ids:
        assert names[sid] in first, (names[sid], first)
    assert "<b>bold" not in dom  # no name became markup

    # report.html: the same names in its embedded JSON and its tables, as text
    from siteplan.export.report import write_report

    report = next(p for p in write_report(plan, tmp_path / "report") if p.suffix == ".html").read_text()
    payload = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', report, re.S).group(1)
    assert "<" not in payload and ">" not in payload
    json.loads(payload.replace("NaN", "null"))
    for sid in open_ids:
        assert html.escape(names[sid]) in report
    assert "<b>bold" not in report
