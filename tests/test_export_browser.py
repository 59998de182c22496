"""map.html in a real headless Chromium with networking disabled.

Skipped only when ``/usr/bin/chromium`` is missing (CI installs Debian's ``chromium``). The page
records script errors into ``#js-errors`` and sets ``data-ready`` once drawn; ``--dump-dom`` gives
the DOM after scripts ran, and Chromium's stderr log carries console messages.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import siteplan
from siteplan.export.htmlmap import write_html_map

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--enable-logging=stderr", "--v=0", "--window-size=1400,900", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    plan = siteplan.solve(siteplan.load(ROOT / "models" / "example.yaml"))
    d = tmp_path_factory.mktemp("htmlmap")
    return plan, write_html_map(plan, d / "map.html"), d


def _console_errors(stderr: str) -> list[str]:
    lines = [ln for ln in stderr.splitlines() if "CONSOLE" in ln]
    return [ln for ln in lines if re.search(r"error|uncaught|failed to load", ln, re.I)]


def test_map_renders_without_errors_and_counts_markers(page):
    plan, html_path, d = page
    res = _chromium(["--dump-dom", html_path.as_uri()], d / "profile-dom")
    dom = res.stdout
    assert res.returncode == 0, res.stderr[-2000:]
    assert _console_errors(res.stderr) == []
    m = re.search(r'<pre id="js-errors">(.*?)</pre>', dom, re.S)
    assert m is not None and m.group(1).strip() == "", m and m.group(1)
    assert '<body data-ready="1"' in dom  # the script ran to the end
    n_open = int(plan.sites["open"].sum())
    assert len(re.findall(r'<circle class="chosen-site', dom)) == n_open
    assert f'data-chosen-sites="{n_open}"' in dom
    assert dom.count('class="state"') >= 1  # basemap drawn
    assert len(re.findall(r'<circle class="candidate-site', dom)) == len(plan.sites) - n_open
    assert len(re.findall(r'<path[^>]*class="interconnect', dom)) == len(plan.interconnects)
    assert dom.count('id="toggle-') >= 8  # one toggle per layer


def test_map_screenshot_artifact(page):
    from matplotlib.image import imread

    _, html_path, d = page
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "map_html.png"
    if shot.exists():
        shot.unlink()
    res = _chromium([f"--screenshot={shot}", html_path.as_uri()], d / "profile-shot")
    assert res.returncode == 0, res.stderr[-2000:]
    assert _console_errors(res.stderr) == []
    img = imread(shot)
    assert img.shape[:2] == (900, 1400)
    assert img[..., :3].std() > 0.05


def test_buildout_map_has_a_working_period_control(tmp_path):
    # a build-out results folder's map.html: one period at a time, switched by its buttons
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from test_buildout import _bridge_study

    out = tmp_path / "res"
    run = subprocess.run([sys.executable, "-m", "siteplan", "solve",
                          str(_bridge_study(tmp_path, rent_usd_per_kw_month=50.0, penalty=1e7)), "--out", str(out), "-q"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = out / "map.html"
    # click the second period's button before the DOM is dumped
    html = page.read_text()
    clicked = tmp_path / "clicked.html"
    clicked.write_text(html.replace("</body>", '<script>document.querySelector(\'#periods button[data-year="2029"]\')'
                                               '.click();</script></body>'))
    res = _chromium(["--dump-dom", clicked.as_uri()], tmp_path / "profile")
    assert res.returncode == 0, res.stderr[-2000:]
    assert _console_errors(res.stderr) == []
    dom = res.stdout
    assert re.search(r'<button type="button" data-year="2029" class="on">', dom)
    shown = re.findall(r'<iframe class="period" data-year="(\d+)"[^>]*style="display: ?block', dom)
    assert shown == ["2029"]
    shot = tmp_path / "shot.png"
    _chromium([f"--screenshot={shot}", "--virtual-time-budget=3000", page.as_uri()], tmp_path / "profile-shot")
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB").resize((140, 90)))
    # the period's map is drawn inside the page: ~490 colours; with a blank frame the bar alone gives ~60
    assert len({tuple(px) for px in img.reshape(-1, 3)}) > 200
