"""Maps a reviewer can trust (issue 18 review): which label belongs to which site, voltage classes
told apart, details in words.

* map.html in headless Chromium: every visible site label's box is nearer to its own site's marker
  than to any other chosen site's marker, or a leader line runs from the label to its own marker; no
  label covers a marker other than its own. On the texas plan a one-line label ("Tyler, TX · 356 MW ·
  grid + ...", ~390 px) was put left of Tyler with text-anchor "end" and began beside Big Spring.
* Voltage classes 69-765 kV have distinct colours (also under simulated colour blindness) and the
  legends list the classes present.
* The site details table of map.html says its rows in words with units, and designs and rack types
  by name, not by id.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

import siteplan
from siteplan.export import style

from map_fixtures import crowded, run_probe, texas_like

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example.yaml"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def example_plan():
    return siteplan.solve(siteplan.load(EXAMPLE))


# Measures, in the page, every visible site label against the chosen sites' markers.
PROBE = """<script>
(function () {
  function ov(a, b) { return a.left < b.right - 1 && a.right > b.left + 1 && a.top < b.bottom - 1 && a.bottom > b.top + 1; }
  function gap(b, m) {  // distance from a label box to a marker's edge (markers as circles of their box)
    var r = m.getBoundingClientRect(), cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2, rad = r.width / 2;
    var qx = Math.min(Math.max(cx, b.left), b.right), qy = Math.min(Math.max(cy, b.top), b.bottom);
    return Math.max(0, Math.hypot(qx - cx, qy - cy) - rad);
  }
  function near(x, y, b, tol) { return x >= b.left - tol && x <= b.right + tol && y >= b.top - tol && y <= b.bottom + tol; }
  var marks = [].slice.call(document.querySelectorAll("circle.demand, .chosen-site, rect.substation.connected"));
  var sites = [].slice.call(document.querySelectorAll(".chosen-site"));
  var svg = document.getElementById("map");
  var bad = [], far = [], shown = 0, leaders = 0;
  [].slice.call(document.querySelectorAll("text.site-label, text.demand-label")).forEach(function (t) {
    if (t.style.display === "none") { return; }
    var of = (t.getAttribute("data-of") || ":").split(":"), kind = of[0], id = of.slice(1).join(":");
    var b = t.getBoundingClientRect();
    marks.forEach(function (m) {
      if ((kind === "site" && m.getAttribute("data-site-id") === id) ||
          (kind === "demand" && m.getAttribute("data-demand-id") === id)) { return; }
      if (ov(b, m.getBoundingClientRect())) { bad.push(t.textContent + " covers " + (m.getAttribute("data-site-id") ||
                                                 m.getAttribute("data-demand-id") || m.getAttribute("class"))); }
    });
    if (kind !== "site") { return; }
    shown += 1;
    var own = sites.filter(function (m) { return m.getAttribute("data-site-id") === id; })[0];
    var nearest = sites.slice().sort(function (p, q) { return gap(b, p) - gap(b, q); })[0];
    if (nearest === own) { return; }
    // else a visible leader line must join the label's box to its own marker
    var ob = own.getBoundingClientRect(), ok = false;
    [].slice.call(document.querySelectorAll("line.leader")).forEach(function (ln) {
      if (ln.style.display === "none" || ln.getAttribute("data-of") !== "site:" + id) { return; }
      var M = ln.getScreenCTM(), p = svg.createSVGPoint(), ends = [];
      [["x1", "y1"], ["x2", "y2"]].forEach(function (k) {
        p.x = +ln.getAttribute(k[0]); p.y = +ln.getAttribute(k[1]); var s = p.matrixTransform(M); ends.push(s);
      });
      if ((near(ends[0].x, ends[0].y, ob, 3) && near(ends[1].x, ends[1].y, b, 3)) ||
          (near(ends[1].x, ends[1].y, ob, 3) && near(ends[0].x, ends[0].y, b, 3))) { ok = true; leaders += 1; }
    });
    if (!ok) { far.push(t.textContent + " is nearest to " + nearest.getAttribute("data-site-id") + ", not its own " + id); }
  });
  document.body.setAttribute("data-overlaps", bad.join(" | "));
  document.body.setAttribute("data-wrong-site", far.join(" | "));
  document.body.setAttribute("data-site-labels", String(shown));
  document.body.setAttribute("data-leaders", String(leaders));
})();
</script>"""


def _probe(plan, tmp_path, name):
    return run_probe(plan, tmp_path, name, PROBE, window="1400,900")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_html_map_each_site_label_is_nearest_its_own_site(example_plan, tmp_path):
    """map.html, default view at 1400x900: every chosen site is labelled; each label is nearer to its
    own site's marker than to any other site's, or joined to it by a leader line; no label covers a
    marker; a site label is two lines (name; MW and power supply)."""
    plans = {"texas": texas_like(example_plan), "example": example_plan, "crowded": crowded(example_plan)}
    for name, plan in plans.items():
        attrs, dom = _probe(plan, tmp_path, name)
        assert attrs["data-overlaps"] == "", (name, attrs["data-overlaps"])
        assert attrs["data-wrong-site"] == "", (name, attrs["data-wrong-site"])
        assert int(attrs["data-site-labels"]) >= (3 if name == "texas" else 1), name
        if name == "texas":
            assert int(attrs["data-site-labels"]) == 3
            tyler = re.search(r'<text class="site-label"[^>]*data-of="site:tyler"[^>]*>(.*?)</text>', dom, re.S)
            assert tyler is not None
            spans = re.findall(r"<tspan[^>]*>(.*?)</tspan>", tyler.group(1))
            assert [html.unescape(s) for s in spans][:2] == ["Tyler, TX", "356 MW · 24% grid + 13 gas engines, 220 MW firm"]


# ---- voltage classes ---------------------------------------------------------------------------------

def _lab(hex_color, cvd=None):
    from matplotlib.colors import to_rgb

    c = np.array(to_rgb(hex_color))
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if cvd is not None:
        lin = np.clip(cvd @ lin, 0, 1)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
CVD = {"deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                 [-0.011820, 0.042940, 0.968881]]),
       "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                               [-0.003882, -0.048116, 1.051998]]),
       "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                               [0.004733, 0.691367, 0.303900]])}
STANDARD_KV = (69, 115, 138, 161, 230, 345, 500, 765)


def test_voltage_classes_have_distinct_colours():
    colors = {kv: style.voltage_color(kv) for kv in STANDARD_KV}
    assert len(set(colors.values())) == len(STANDARD_KV)
    for (a, ca), (b, cb) in itertools.combinations(colors.items(), 2):
        assert np.linalg.norm(_lab(ca) - _lab(cb)) > 20, (a, b)
        for name, m in CVD.items():
            assert np.linalg.norm(_lab(ca, m) - _lab(cb, m)) > 12, (a, b, name)
    # off-class voltages take the nearest class
    assert style.voltage_color(66) == colors[69] and style.voltage_color(132) == colors[138]
    assert style.voltage_color(150) == colors[161] and style.voltage_color(220) == colors[230]
    assert style.voltage_color(400) == colors[345] and style.voltage_color(1000) == colors[765]
    assert style.voltage_legend([138.0, 161.0, 66.0, 69.0, 138.0]) == [
        ("69 kV class (66, 69 kV)", colors[69]), ("138 kV", colors[138]), ("161 kV", colors[161])]


def test_both_maps_list_the_voltage_classes_present(example_plan, tmp_path):
    from siteplan.export.htmlmap import render_html_map
    from siteplan.export.staticmap import render_map

    plan = texas_like(example_plan)
    page = render_html_map(plan)
    entries = re.findall(r'<div class="legend-row voltage-entry"><span class="swatch line" '
                         r'style="background:(#[0-9a-fA-F]{6})"></span>([^<]*)</div>', page)
    assert entries == [(style.voltage_color(kv), f"{kv} kV") for kv in (69, 138, 161)]
    fig = render_map(plan)
    fig.canvas.draw()
    leg = next(a for a in fig.axes[1].artists if hasattr(a, "get_title")
               and a.get_title().get_text().startswith("Interconnect"))
    assert [t.get_text() for t in leg.get_texts()] == ["69 kV", "138 kV", "161 kV"]
    from matplotlib.colors import to_hex

    assert [to_hex(h.get_color()) for h in leg.legend_handles] == [style.voltage_color(kv).lower() for kv in (69, 138, 161)]
# ---- details in words ----------------------------------------------------------------------------------

def test_html_map_site_details_in_words_with_units(example_plan):
    from siteplan.export.htmlmap import map_data, render_html_map
    from siteplan.labels import design_name, rack_name

    data = map_data(example_plan)
    site = data["chosen"][0]
    labels = [r[0] for r in site["rows"]]
    for lab in labels:  # words, not column names; units in the label, not lower-case ids
        assert "_" not in lab and not re.search(r"\busd\b|\bper yr\b|\bmw\b|\bh100e\b", lab), lab
    assert {"total cost (USD/yr)", "capital cost, annualised (USD/yr)", "operating cost (USD/yr)",
            "IT capacity (MW)", "water use (m³/yr)", "emissions (t CO₂/yr)"} <= set(labels)
    row = dict((r[0], r[1]) for r in site["rows"])
    s = example_plan.sites.set_index("site_id").loc[site["id"]]
    assert row["total cost (USD/yr)"] == style.fmt_usd(float(s["cost_usd_per_yr"]))
    assert row["cooling design"] == design_name(s["design"]) == "Direct-to-chip liquid"
    assert row[f"racks, {rack_name('gb200_nvl72')}"] == f"{s['racks_gb200_nvl72']:,.0f}"
    assert site["design_name"] == design_name(s["design"])
    page = render_html_map(example_plan)
    legend = page[page.index("<h2>Cooling design</h2>"):].split("<h2>", 2)[1]
    assert "Direct-to-chip liquid" in legend and "direct_to_chip" not in legend
    assert json.loads(json.dumps(data))  # JSON-ready


def test_static_map_design_legend_by_name(example_plan):
    from siteplan.export.staticmap import DESIGN_LEGEND_TITLE, render_map

    fig = render_map(example_plan)
    fig.canvas.draw()
    leg = next(a for a in fig.axes[1].artists if hasattr(a, "get_title")
               and a.get_title().get_text() == DESIGN_LEGEND_TITLE)
    assert [t.get_text() for t in leg.get_texts()] == ["Direct-to-chip liquid"]
