"""map.png (issue 18 item 4, 6 and 8): every chosen site visible and labelled, no label covering a
marker or another label, leader lines for moved labels, power supply told apart, substations and
fiber as a backdrop.

Overlaps are measured on the rendered matplotlib figure: label boxes from the renderer
(``Text.get_window_extent``), marker extents from each scatter collection's drawn transforms
(marker path x size x dpi, plus half the edge width), in pixels.

The example study opens one site; the crowded plan puts twelve open sites of every size and power
supply (one of 0.3 MW) around Dallas-Fort Worth, where the demand circles are, which is what hid a
site on the texas map.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

import siteplan
from map_fixtures import crowded
from siteplan.export import style
from siteplan.export.staticmap import (GID_CANDIDATES, GID_CHOSEN, GID_DEMAND, GID_DEMAND_LABEL, GID_LEADER,
                                       GID_SITE_LABEL, GID_SUBS_USED, POWER_LEGEND_TITLE, render_map)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example.yaml"


@pytest.fixture(scope="module")
def example_plan():
    return siteplan.solve(siteplan.load(EXAMPLE))


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def marker_boxes(fig, renderer, gids) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(gid, centres, pixel boxes x0 y0 x1 y1) of every marker of the scatter collections with those gids,
    from the transforms the last draw used."""
    ax = fig.axes[0]
    out = []
    for coll in ax.collections:
        if coll.get_gid() not in gids:
            continue
        offs = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
        trans = coll.get_transforms()  # per marker: size scaling in pixels (set when drawn)
        verts = coll.get_paths()[0].vertices
        lw = np.broadcast_to(np.asarray(coll.get_linewidths(), float), (len(offs),)) * fig.dpi / 72 / 2
        boxes = []
        for k, (cx, cy) in enumerate(offs):
            t = trans[k % len(trans)]
            v = verts @ t[:2, :2].T
            boxes.append([cx + v[:, 0].min() - lw[k], cy + v[:, 1].min() - lw[k],
                          cx + v[:, 0].max() + lw[k], cy + v[:, 1].max() + lw[k]])
        out.append((coll.get_gid(), offs, np.array(boxes)))
    return out


def labels(fig, renderer, gid):
    return [(t, t.get_window_extent(renderer)) for t in fig.axes[0].texts if t.get_gid() == gid]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def check_no_overlaps(fig, candidates_too: bool = False):
    """Every site label and demand label: inside the axes, off every other label and off every
    marker of the plan (chosen sites, demand regions, substations with new load; with
    ``candidates_too`` also the candidate sites, which a label may cover only when it could not
    otherwise stay near its own site)."""
    r = _drawn(fig)
    labs = labels(fig, r, GID_SITE_LABEL) + labels(fig, r, GID_DEMAND_LABEL)
    boxes = [np.array([b.x0, b.y0, b.x1, b.y1]) for _, b in labs]
    axb = fig.axes[0].get_window_extent(r)
    for i, bi in enumerate(boxes):
        assert axb.x0 <= bi[0] and bi[2] <= axb.x1 and axb.y0 <= bi[1] and bi[3] <= axb.y1, labs[i][0].get_text()
        for j in range(i):
            assert not _overlap(bi, boxes[j]), (labs[i][0].get_text(), labs[j][0].get_text())
    marks = marker_boxes(fig, r, (GID_CHOSEN, GID_DEMAND, GID_SUBS_USED) + ((GID_CANDIDATES,) if candidates_too else ()))
    assert marks
    for gid, _, mb in marks:
        for (t, _), bi in zip(labs, boxes):
            for m in mb:
                assert not _overlap(bi, m), f"label {t.get_text()!r} covers a {gid} marker"
    return r, labs, marks


def test_example_map_labels_cover_no_marker(example_plan):
    fig = render_map(example_plan)
    r, labs, _ = check_no_overlaps(fig, candidates_too=True)
    site_labels = [t for t, _ in labs if t.get_gid() == GID_SITE_LABEL]
    assert len(site_labels) == int(example_plan.sites["open"].sum())
    assert site_labels[0].get_text().startswith("Abilene · ")


def test_crowded_map_every_site_labelled_no_overlap_leaders(example_plan):
    plan = crowded(example_plan)
    fig = render_map(plan)
    r, labs, marks = check_no_overlaps(fig)
    site_labels = [(t, b) for t, b in labs if t.get_gid() == GID_SITE_LABEL]
    n_open = int(plan.sites["open"].sum())
    assert len(site_labels) == n_open  # every chosen site is named, the tiny one too
    texts = {t.get_text().split(" · ")[0]: t for t, _ in site_labels}
    assert set(texts) == {f"Town {i}, TX" for i in range(n_open)}
    # the 0.3 MW site is said as 0.30 MW, not "0 MW"
    assert "0.30 MW IT" in texts[f"Town {n_open - 1}, TX"].get_text()
    # the chosen-site markers are all drawn, the tiny one at a visible size
    chosen = [m for g, _, m in marks if g == GID_CHOSEN]
    assert sum(len(m) for m in chosen) == n_open
    assert min(float((m[:, 2] - m[:, 0]).min()) for m in chosen) >= 10  # pixels
    # a label far from its marker has a leader line from the marker's edge to the label
    ax = fig.axes[0]
    leaders = [ln for ln in ax.lines if ln.get_gid() == GID_LEADER]
    lead_px = [ax.transData.transform(np.column_stack(ln.get_data())) for ln in leaders]
    k = fig.dpi / 72
    n_far = 0
    for t, b in site_labels:
        cx, cy = ax.transData.transform(t.xy)
        qx, qy = min(max(cx, b.x0), b.x1), min(max(cy, b.y0), b.y1)
        gap = math.hypot(qx - cx, qy - cy)
        radius = max(float((m[:, 2] - m[:, 0]).max()) for m in chosen) / 2
        if gap > radius + 14 * k:
            n_far += 1
            ends = [seg for seg in lead_px if math.hypot(seg[-1][0] - qx, seg[-1][1] - qy) < 3 * k + 3]
            assert ends, f"label {t.get_text()!r} is {gap:.0f} px from its site without a leader line"
    assert n_far > 0, "the crowded map should move some label away (else the leader check tests nothing)"
    assert len(leaders) >= n_far


def test_crowded_map_power_supply_substations_fiber_interconnects(example_plan):
    plan = crowded(example_plan)
    fig = render_map(plan)
    _drawn(fig)
    ax, lax = fig.axes[0], fig.axes[1]
    chosen = [c for c in ax.collections if c.get_gid() == GID_CHOSEN]
    # grid-fed, grid + on-site and off-grid sites are drawn differently: three collections, the
    # off-grid one a diamond, the on-site ones edged in the on-site colour
    assert len(chosen) == 3
    edges = {tuple(np.round(c.get_edgecolors()[0][:3], 3)) for c in chosen}
    assert len(edges) == 2
    n_vertices = sorted(len(c.get_paths()[0].vertices) for c in chosen)
    assert n_vertices[0] != n_vertices[-1]  # a diamond beside circles
    legends = [a for a in lax.artists if hasattr(a, "get_title")]
    power = [lg for lg in legends if lg.get_title().get_text() == POWER_LEGEND_TITLE]
    assert len(power) == 1
    assert len(power[0].get_texts()) == 3
    # substations the plan does not use are faint and small; the used ones are drawn over the sites
    zs = {c.get_gid(): c.get_zorder() for c in ax.collections if c.get_gid()}
    idle = [c for c in ax.collections if c.get_gid() is None and len(c.get_offsets()) == int(
        (plan.substations["connected_mw"] <= 0).sum()) and c.get_alpha() is not None]
    assert idle and idle[0].get_alpha() <= 0.4 and float(np.max(idle[0].get_sizes())) <= 8
    assert zs[GID_SUBS_USED] > zs[GID_CHOSEN]
    # interconnect lines are drawn over the site markers, in their voltage colour
    v_color = np.array(__import__("matplotlib").colors.to_rgba(style.voltage_color(345.0)))
    ic = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"
          and len(c.get_colors()) and np.allclose(c.get_colors()[0], v_color)]
    assert ic and ic[0].get_zorder() > zs[GID_CHOSEN]
    # fiber outside the study's states is clipped: nothing of the link into New Mexico west of -103.1
    fiber_color = np.array(__import__("matplotlib").colors.to_rgba(style.FIBER_COLOR))[:3]
    fib = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"
           and len(c.get_colors()) and np.allclose(c.get_colors()[0][:3], fiber_color)]
    xs = np.concatenate([np.asarray(s)[:, 0] for c in fib for s in c.get_segments()])
    assert xs.min() > -103.2


def test_tiny_site_is_said_on_the_map(example_plan):
    """A plan with a 0.3 MW site names it in a CHECK line above the map (issue 18 item 6)."""
    plan = copy.copy(example_plan)
    plan.sites = example_plan.sites.copy()
    i = int(np.flatnonzero(plan.sites["open"].to_numpy(bool))[0])
    plan.sites.loc[plan.sites.index[i], "it_mw"] = 0.3
    fig = render_map(plan)
    checks = [t.get_text() for t in fig.texts if t.get_text().startswith("CHECK")]
    assert checks and "tiny site" in checks[0] and "0.30 MW" in checks[0]
    assert not [t for t in render_map(example_plan).texts if t.get_text().startswith("CHECK")]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_html_map_interconnects_reach_past_the_site_and_power_is_drawn(example_plan, tmp_path):
    """map.html in headless Chromium: every interconnect ends beyond its site's marker (with the
    substation square at its end), sites are classed by power supply, unused substations are faint."""
    import re
    import subprocess

    from siteplan.export.htmlmap import write_html_map

    plan = crowded(example_plan)
    page = write_html_map(plan, tmp_path / "map.html")
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--window-size=1400,900",
           "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    assert '<body data-ready="1"' in dom
    sites = {m.group(2): (m.group(1), float(m.group(3)), float(m.group(4)), float(m.group(5)))
             for m in re.finditer(r'<circle class="chosen-site interactive([^"]*)"[^>]*data-site-id="([^"]+)"[^>]*'
                                  r'cx="([-\d.e]+)" cy="([-\d.e]+)" r="([-\d.e]+)"', dom)}
    diamonds = re.findall(r'<path class="chosen-site interactive offgrid"[^>]*data-site-id="([^"]+)"', dom)
    kinds = {r["site_id"]: style.power_kind(r) for _, r in plan.sites[plan.sites["open"]].iterrows()}
    assert sorted(diamonds) == sorted(s for s, k in kinds.items() if k == "off-grid")
    for sid, (cls, *_rest) in sites.items():
        assert ("onsite" in cls) == (kinds[sid] == "grid + on-site"), sid
    spokes = re.findall(r'<path d="M([-\d.]+),([-\d.]+)L([-\d.]+),([-\d.]+)" class="interconnect', dom)
    assert len(spokes) == len(plan.interconnects)
    rects = [(float(x) + float(w) / 2, float(y) + float(w) / 2) for x, y, w in
             re.findall(r'<rect class="substation interactive connected"[^>]*x="([-\d.e]+)" y="([-\d.e]+)" '
                        r'width="([-\d.e]+)"', dom)]
    for x0, y0, x1, y1 in (tuple(map(float, s)) for s in spokes):
        site = min(sites.values(), key=lambda v: (v[1] - x0) ** 2 + (v[2] - y0) ** 2) if sites else None
        if site is None or (site[1] - x0) ** 2 + (site[2] - y0) ** 2 > 1e-6:
            continue  # an off-grid site has no interconnect; this one starts at a circle
        assert math.hypot(x1 - x0, y1 - y0) > site[3], "interconnect hidden under its site's marker"
        assert min(math.hypot(x1 - rx, y1 - ry) for rx, ry in rects) < 1e-3  # its substation at its end
    assert dom.count('class="substation interactive idle"') == int((plan.substations["connected_mw"] <= 0).sum())


PROBE = """<script>
(function () {
  function ov(a, b) { return a.left < b.right - 1 && a.right > b.left + 1 && a.top < b.bottom - 1 && a.bottom > b.top + 1; }
  var marks = [].slice.call(document.querySelectorAll("circle.demand, .chosen-site, rect.substation.connected"));
  var bad = [], shown = 0;
  [].slice.call(document.querySelectorAll("text.site-label, text.demand-label")).forEach(function (t) {
    if (t.style.display === "none") { return; }
    var of = (t.getAttribute("data-of") || ":").split(":"), kind = of[0], id = of.slice(1).join(":");
    if (kind === "site") { shown += 1; }
    var b = t.getBoundingClientRect();
    marks.forEach(function (m) {
      if ((kind === "site" && m.getAttribute("data-site-id") === id) ||
          (kind === "demand" && m.getAttribute("data-demand-id") === id)) { return; }
      if (ov(b, m.getBoundingClientRect())) { bad.push(t.textContent + " / " + (m.getAttribute("data-site-id") ||
                                                 m.getAttribute("data-demand-id") || m.getAttribute("class"))); }
    });
  });
  document.body.setAttribute("data-overlaps", bad.join(" | "));
  document.body.setAttribute("data-site-labels", String(shown));
})();
</script>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_html_map_labels_cover_no_marker(example_plan, tmp_path):
    """map.html in headless Chromium, default view: no visible label covers a demand region, a chosen
    site or a substation with new load other than its own (measured with getBoundingClientRect)."""
    import html
    import re
    import subprocess

    from siteplan.export.htmlmap import write_html_map

    # a demand region just north-east of the chosen site, where its label goes first
    beside = copy.copy(example_plan)
    site = example_plan.sites[example_plan.sites["open"].astype(bool)].geometry.iloc[0]
    beside.demand = example_plan.demand.copy()
    beside.demand.loc[beside.demand.index[0], "geometry"] = Point(site.x + 0.25, site.y + 0.12)
    for plan, name in ((example_plan, "example"), (crowded(example_plan), "crowded"), (beside, "beside")):
        page = write_html_map(plan, tmp_path / f"{name}.html")
        page.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
        cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={tmp_path / 'profile'}", "--proxy-server=127.0.0.1:9", "--window-size=1400,900",
               "--dump-dom", page.as_uri()]
        dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
        m = re.search(r'<body[^>]*data-overlaps="([^"]*)"[^>]*data-site-labels="(\d+)"', dom)
        assert m is not None, "the probe did not run"
        assert html.unescape(m.group(1)) == "", (name, html.unescape(m.group(1)))
        assert int(m.group(2)) >= 1
