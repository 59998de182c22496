/* siteplan interactive map (map.html): draws the plan from the embedded JSON as SVG.
 * Written for siteplan; no third-party code and no network access. Inlined by
 * siteplan.export.htmlmap. Pan by dragging, zoom with the wheel or the buttons, toggle layers in
 * the side panel, hover for a summary, click for details. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("plan-data").textContent);
  var svg = document.getElementById("map");
  var wrap = document.getElementById("mapwrap");
  var tip = document.getElementById("tooltip");
  var details = document.getElementById("details");
  var lat0 = data.view.lat0;
  var kx = Math.cos(lat0 * Math.PI / 180);
  var view = { k: 1, tx: 0, ty: 0 };
  var markers = [];   // {el, kind, r, x, y}
  var subMarker = {};  // substation id -> its marker (substations with new load)
  var siteMarker = {}; // chosen site id -> its marker
  var spokes = [];     // interconnects: {el, site, substation, x0, y0 (site), x1, y1 (substation)}
  var SPOKE_PX = 8;    // an interconnect shows at least this far beyond its site's marker
  var labels = [];    // {el, x, y, dx, dy, size, prio}

  function px(lon) { return lon * kx; }
  function py(lat) { return -lat; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var a in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, a)) { e.setAttribute(a, attrs[a]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function fmt(x, d) {
    if (x === null || x === undefined || !isFinite(x)) { return "\u2013"; }
    return Number(x).toLocaleString("en-US", { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });
  }
  function usd(x) {
    if (x === null || x === undefined || !isFinite(x)) { return "\u2013"; }
    var units = [["B", 1e9], ["M", 1e6], ["k", 1e3]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(x) >= units[i][1]) { return "$" + (x / units[i][1]).toFixed(2) + units[i][0]; }
    }
    return "$" + fmt(x, 0);
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  function pathOf(coords) {
    var d = "";
    for (var i = 0; i < coords.length; i++) {
      d += (i ? "L" : "M") + px(coords[i][0]).toFixed(4) + "," + py(coords[i][1]).toFixed(4);
    }
    return d;
  }

  var siteName = {}, regionName = {};
  data.chosen.forEach(function (c) { siteName[c.id] = c.label; });
  data.demand.forEach(function (d) { regionName[d.id] = d.name || d.id; });
  var subName = {};
  data.substations.forEach(function (s) { subName[s.id] = s.name || s.id; });
  var root = el("g", { id: "viewport" }, svg);
  var groups = {};
  data.layers.forEach(function (L) { groups[L.id] = el("g", { id: "layer-" + L.id, "class": "layer" }, root); });

  // --- draw layers -----------------------------------------------------------------------
  data.states.forEach(function (s) {
    var d = "";
    s.rings.forEach(function (ring) { d += pathOf(ring) + "Z"; });
    el("path", { d: d, "class": "state", "vector-effect": "non-scaling-stroke", "fill-rule": "evenodd" }, groups.states);
    var t = el("text", { "class": "state-label" }, groups.states);
    t.textContent = s.code;
    labels.push({ el: t, x: px(s.label[0]), y: py(s.label[1]), dx: 0, dy: 0, size: 15, prio: -1, fixed: true });
  });
  var maxCarried = Math.max.apply(null, [1e-9].concat(data.fiber.map(function (f) { return f.served_h100e || 0; })));
  data.fiber.forEach(function (f) {
    var used = f.served_h100e > 0;
    var attrs = { d: pathOf(f.coords), "class": "fiber interactive" + (used ? " used" : ""), "vector-effect": "non-scaling-stroke" };
    if (used) attrs["stroke-width"] = (1.5 + 3.5 * f.served_h100e / maxCarried).toFixed(2);
    var p = el("path", attrs, groups.fiber);
    hover(p, function () {
      return "<b>fiber " + esc(f.id) + "</b><br>" + esc(f.from) + " \u2013 " + esc(f.to) + ", " + fmt(f.length_km, 0) + " km" +
        (used ? "<br>carries " + fmt(f.served_h100e) + " H100e of served demand" : "");
    });
  });
  data.substations.forEach(function (s) {
    // the substations the plan uses stand out (headroom colour, on top); the others are a light backdrop
    var used = s.connected_mw > 0;
    var r = used ? 5 : 2;
    var e = el("rect", { "class": "substation interactive" + (used ? " connected" : " idle"), fill: used ? s.color : "#9a9a9a",
                         "vector-effect": "non-scaling-stroke" }, used ? groups.substations_used : groups.substations);
    markers.push({ el: e, kind: "rect", r: r, x: px(s.lon), y: py(s.lat), x0: px(s.lon), y0: py(s.lat) });
    if (used) { subMarker[s.id] = markers[markers.length - 1]; }
    var html = function () {
      return "<b>substation " + esc(s.name || s.id) + "</b> (" + esc(s.id) + ", " + fmt(s.voltage_kv) + " kV)<br>headroom " + fmt(s.headroom_mw, 1) +
        " MW, contracted " + fmt(s.connected_mw, 1) + " MW<br>remaining " + fmt(s.remaining_headroom_mw, 1) + " MW" +
        (s.headroom_value_usd_per_mw_yr > 0 ? "<br>one more MW of headroom is worth " + usd(s.headroom_value_usd_per_mw_yr) + "/yr" : "");
    };
    hover(e, html);
    click(e, function () { show("Substation " + (s.name || s.id), [["substation id", esc(s.id)], ["voltage (kV)", fmt(s.voltage_kv)],
      ["grid zone", esc(s.zone)], ["headroom (MW)", fmt(s.headroom_mw, 1)], ["new load contracted (MW)", fmt(s.connected_mw, 1)],
      ["of which network upgrades (MW)", fmt(s.upgrade_mw, 1)],
      ["remaining headroom (MW)", fmt(s.remaining_headroom_mw, 1)], ["supply (MW)", fmt(s.supply_mw, 1)],
      ["value of one more MW of headroom (USD/yr)", s.headroom_value_usd_per_mw_yr === null ? "not priced" : usd(s.headroom_value_usd_per_mw_yr)]]); });
  });
  var maxServed = Math.max.apply(null, [1e-9].concat(data.assignments.map(function (a) { return a.served_h100e; })));
  data.assignments.forEach(function (a) {
    var p = el("path", { d: pathOf(a.coords), "class": "assignment interactive", "vector-effect": "non-scaling-stroke",
                         "stroke-width": (0.8 + 3.2 * a.served_h100e / maxServed).toFixed(2) }, groups.assignments);
    hover(p, function () {
      return "<b>" + esc(siteName[a.site] || a.site) + " \u2192 " + esc(regionName[a.region] || a.region) + "</b><br>" + esc(a.workload) + ": " + fmt(a.served_h100e) +
        " H100e<br>RTT " + fmt(a.rtt_ms, 1) + " ms (limit " + fmt(a.max_rtt_ms, 1) + " ms)";
    });
  });
  data.interconnects.forEach(function (c) {
    // a white casing under the voltage colour keeps every class's colour readable over a site marker
    var casing = el("path", { d: pathOf(c.coords), "class": "ic-casing", "vector-effect": "non-scaling-stroke" },
                    groups.interconnects);
    var p = el("path", { d: pathOf(c.coords), "class": "interconnect interactive", stroke: c.color,
                         "data-voltage-kv": c.voltage_kv, "vector-effect": "non-scaling-stroke" }, groups.interconnects);
    var a = c.coords[0], b = c.coords[c.coords.length - 1];
    spokes.push({ el: p, casing: casing, site: c.site, substation: c.substation, x0: px(a[0]), y0: py(a[1]),
                  x1: px(b[0]), y1: py(b[1]) });
    hover(p, function () {
      return "<b>" + esc(siteName[c.site] || c.site) + " \u2192 substation " + esc(subName[c.substation] || c.substation) + "</b><br>" +
        fmt(c.voltage_kv) + " kV line, " +
        fmt(c.contracted_mw) + " MW contracted, " + fmt(c.line_km, 1) + " km<br>capex " + usd(c.capex_usd) + ", peak import " + fmt(c.peak_import_mw, 1) + " MW";
    });
  });
  var maxDem = Math.max.apply(null, [1e-9].concat(data.demand.map(function (d) { return d.total_h100e; })));
  data.demand.forEach(function (d) {
    var e = el("circle", { "class": "demand interactive", "data-demand-id": d.id, "vector-effect": "non-scaling-stroke" },
               groups.demand);
    markers.push({ el: e, kind: "circle", r: 3 + 15 * Math.sqrt(d.total_h100e / maxDem), x: px(d.lon), y: py(d.lat) });
    var dl = el("text", { "class": "demand-label", "data-of": "demand:" + d.id }, groups.labels);
    dl.textContent = d.name || d.id;
    labels.push({ el: dl, x: px(d.lon), y: py(d.lat), dx: 0, dy: 0, size: 11, prio: 1000 - d.total_h100e / maxDem,
                  r: markers[markers.length - 1].r, marker: markers[markers.length - 1] });
    hover(e, function () {
      var s = "<b>" + esc(d.name || d.id) + "</b> (demand)";
      d.workloads.forEach(function (w) {
        s += "<br>" + esc(w.workload) + ": " + fmt(w.demand_h100e) + " H100e, unmet " + fmt(w.unmet_h100e);
      });
      return s;
    });
    click(e, function () {
      var rows = [["region id", esc(d.id)]];
      d.workloads.forEach(function (w) {
        rows.push([esc(w.workload) + " demand (H100-equivalents)", fmt(w.demand_h100e)]);
        rows.push([esc(w.workload) + " served (H100-equivalents)", fmt(w.served_h100e)]);
        rows.push([esc(w.workload) + " unmet (H100-equivalents)", fmt(w.unmet_h100e)]);
      });
      show(d.name || d.id, rows);
    });
  });
  data.candidates.forEach(function (c) {
    var e = el("circle", { "class": "candidate-site interactive", "vector-effect": "non-scaling-stroke" }, groups.candidates);
    markers.push({ el: e, kind: "circle", r: 3.5, x: px(c.lon), y: py(c.lat) });
    hover(e, function () { return "<b>" + esc(c.name || c.id) + "</b><br>candidate, not chosen (max " + fmt(c.max_it_mw) + " MW IT)"; });
  });
  // marker area proportional to IT MW on a scale of at least 200 MW (as map.png): small sites stay small
  var maxMw = Math.max.apply(null, [200].concat(data.chosen.map(function (c) { return c.it_mw; })));
  data.chosen.slice().sort(function (a, b) { return b.it_mw - a.it_mw; }).forEach(function (c, i) {
    // shape and edge say how the site is powered: circle = grid, red ring = grid + on-site plant, diamond = off-grid
    var offgrid = c.power === "off-grid";
    var cls = "chosen-site interactive" + (c.power === "grid + on-site" ? " onsite" : "") + (offgrid ? " offgrid" : "");
    var e = el(offgrid ? "path" : "circle", { "class": cls, fill: c.color, "data-site-id": c.id, "data-power": c.power,
                           "vector-effect": "non-scaling-stroke" }, groups.chosen);
    markers.push({ el: e, kind: offgrid ? "diamond" : "circle", r: 5 + 17 * Math.sqrt(c.it_mw / maxMw), x: px(c.lon), y: py(c.lat) });
    siteMarker[c.id] = markers[markers.length - 1];
    hover(e, function () {
      return "<b>" + esc(c.label) + "</b> (" + esc(c.id) + ")<br>" + esc(c.it_mw_text) + " MW IT, " + esc(c.design_name || c.design) + "<br>" +
        esc(c.power_text) + (c.plant_text ? "<br>" + esc(c.plant_text) : "") +
        (c.battery_text ? "<br>" + esc(c.battery_text) : "") + "<br>PUE " + fmt(c.pue_min, 2) + "\u2013" + fmt(c.pue_max, 2) + "<br><i>click for details</i>";
    });
    click(e, function () { show(c.label, c.rows); });
    // two lines (name; MW and power supply), so a label stays compact beside its own marker; a thin
    // leader joins a label that had to move away from its marker (drawn under every label)
    var t = el("text", { "class": "site-label", "data-of": "site:" + c.id }, groups.labels);
    var l1 = el("tspan", { "class": "site-name" }, t);
    l1.textContent = c.label;
    var l2 = el("tspan", { "class": "site-info", dy: "1.2em" }, t);
    l2.textContent = c.it_mw_text + " MW \u00b7 " + (c.power_short || c.power_text);
    var lead = el("line", { "class": "leader", "data-of": "site:" + c.id, "vector-effect": "non-scaling-stroke" });
    groups.labels.insertBefore(lead, groups.labels.firstChild);
    lead.style.display = "none";
    labels.push({ el: t, lines: [l1, l2], leader: lead, x: px(c.lon), y: py(c.lat), dx: 0, dy: 0, size: 12, prio: i,
                  r: markers[markers.length - 1].r, site: c.id, marker: markers[markers.length - 1] });
  });

  // --- interaction -----------------------------------------------------------------------
  function hover(e, html) {
    e.addEventListener("mouseenter", function () { tip.innerHTML = html(); tip.style.display = "block"; e.classList.add("hl"); });
    e.addEventListener("mousemove", function (ev) {
      var b = wrap.getBoundingClientRect();
      var x = ev.clientX - b.left + 14, y = ev.clientY - b.top + 12;
      if (x + tip.offsetWidth > b.width - 4) { x = ev.clientX - b.left - tip.offsetWidth - 10; }
      if (y + tip.offsetHeight > b.height - 4) { y = ev.clientY - b.top - tip.offsetHeight - 10; }
      tip.style.left = x + "px"; tip.style.top = y + "px";
    });
    e.addEventListener("mouseleave", function () { tip.style.display = "none"; e.classList.remove("hl"); });
  }
  function click(e, fn) { e.addEventListener("click", function (ev) { ev.stopPropagation(); fn(); }); }
  function show(title, rows) {
    var h = "<h3>" + esc(title) + "</h3><table>";
    rows.forEach(function (r) { h += "<tr><td>" + r[0] + "</td><td>" + r[1] + "</td></tr>"; });
    details.innerHTML = h + "</table>";
  }

  function apply() {
    root.setAttribute("transform", "translate(" + view.tx + "," + view.ty + ") scale(" + view.k + ")");
    var inv = 1 / view.k;
    // an interconnect shorter on screen than its site's marker is wide is drawn out to just beyond
    // the marker's edge, toward its substation, and the substation square is drawn at that end
    Object.keys(subMarker).forEach(function (id) { subMarker[id].x = subMarker[id].x0; subMarker[id].y = subMarker[id].y0; });
    spokes.forEach(function (sp) {
      var sm = siteMarker[sp.site], need = ((sm ? sm.r : 5) + SPOKE_PX) * inv;
      var dx = sp.x1 - sp.x0, dy = sp.y1 - sp.y0, len = Math.sqrt(dx * dx + dy * dy);
      var ex = sp.x1, ey = sp.y1;
      if (len < need) {
        var ux = len > 1e-12 ? dx / len : Math.SQRT1_2, uy = len > 1e-12 ? dy / len : -Math.SQRT1_2;
        ex = sp.x0 + ux * need; ey = sp.y0 + uy * need;
        var m = subMarker[sp.substation];
        if (m) { m.x = ex; m.y = ey; }
      }
      var dd = "M" + sp.x0.toFixed(5) + "," + sp.y0.toFixed(5) + "L" + ex.toFixed(5) + "," + ey.toFixed(5);
      sp.el.setAttribute("d", dd); sp.casing.setAttribute("d", dd);
    });
    markers.forEach(function (m) {
      var r = m.r * inv;
      if (m.kind === "circle") {
        m.el.setAttribute("cx", m.x); m.el.setAttribute("cy", m.y); m.el.setAttribute("r", r);
      } else if (m.kind === "diamond") {
        var d = 1.3 * r;
        m.el.setAttribute("d", "M" + m.x + "," + (m.y - d) + "L" + (m.x + d) + "," + m.y + "L" + m.x + "," + (m.y + d) +
                          "L" + (m.x - d) + "," + m.y + "Z");
      } else {
        m.el.setAttribute("x", m.x - r); m.el.setAttribute("y", m.y - r);
        m.el.setAttribute("width", 2 * r); m.el.setAttribute("height", 2 * r);
      }
    });
    placeLabels(inv);
    scalebar();
  }
  // Labels must not cover a chosen site, a substation with new load, a demand region or another label.
  // Each tries eight spots around its marker (right, the corners, above, below, left; a label left of
  // its marker is right-aligned to it). A site label must also be nearer to its own marker than to any
  // other chosen site's. A site label that fits at none of them moves out in steps along the same
  // directions with a leader line to its marker (kept off the other sites); if that fails too it may
  // cover a demand region (never a site or a label); else, like a demand label that does not fit, it
  // is hidden until zooming in makes room.
  var DIRS = [[1, 0], [1, -1], [1, 1], [0, -1], [0, 1], [-1, 0], [-1, -1], [-1, 1]];
  var LEAD_PX = [22, 46, 80, 130];
  var MARK_PAD = 3;  // px kept clear around a marker's edge (its stroke and the label's white halo)
  function edgeR(m, inv) { return m.r * inv * (m.kind === "diamond" ? 1.3 : 1); }
  function boxGap(box, m, inv) {  // box to the marker's edge (0 when they touch or overlap)
    var qx = Math.min(Math.max(m.x, box[0]), box[2]), qy = Math.min(Math.max(m.y, box[1]), box[3]);
    return Math.max(0, Math.sqrt((qx - m.x) * (qx - m.x) + (qy - m.y) * (qy - m.y)) - edgeR(m, inv));
  }
  function segHits(ax, ay, bx, by, m, inv) {  // does the segment pass through the marker?
    var dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy;
    var t = L > 0 ? Math.max(0, Math.min(1, ((m.x - ax) * dx + (m.y - ay) * dy) / L)) : 0;
    var cx = ax + t * dx - m.x, cy = ay + t * dy - m.y;
    return Math.sqrt(cx * cx + cy * cy) < edgeR(m, inv) + 2 * inv;
  }
  function setLabel(l, anchor, x, y) {
    l.el.setAttribute("text-anchor", anchor);
    l.el.setAttribute("x", x); l.el.setAttribute("y", y);
    if (l.lines) { l.lines.forEach(function (s) { s.setAttribute("x", x); }); }
  }
  function placeLabels(inv) {
    var W = wrap.clientWidth || 800, H = wrap.clientHeight || 600;
    var chosenM = markers.filter(function (m) { return m.el.classList.contains("chosen-site"); });
    var solid = markers.filter(function (m) {
      return m.el.classList.contains("chosen-site") || m.el.classList.contains("connected");
    });
    var soft = markers.filter(function (m) { return m.el.classList.contains("demand"); });
    // a demand label keeps off the candidate sites too (a site label may cover one to stay by its site)
    var cands = markers.filter(function (m) { return m.el.classList.contains("candidate-site"); });
    // markers count with their stroke and a clear gap, so a label never touches one (halo included)
    function mbox(m) { var r = edgeR(m, inv) + MARK_PAD * inv; return [m.x - r, m.y - r, m.x + r, m.y + r]; }
    function overlaps(a, p) { return a[0] < p[2] && a[2] > p[0] && a[1] < p[3] && a[3] > p[1]; }
    var placed = [];
    labels.slice().sort(function (a, b) { return a.prio - b.prio; }).forEach(function (l) {
      l.el.setAttribute("font-size", l.size * inv);
      l.el.setAttribute("stroke-width", 3 * inv);
      if (l.fixed) { setLabel(l, "middle", l.x, l.y); return; }
      l.el.style.display = "";
      if (l.leader) { l.leader.style.display = "none"; }
      var off = (l.r + 3) * inv;
      // the label's box for each text-anchor, relative to its anchor point (measured once)
      var rel = {};
      ["start", "middle", "end"].forEach(function (an) {
        setLabel(l, an, l.x, l.y);
        var b = l.el.getBBox();
        rel[an] = [b.x - l.x, b.y - l.y, b.width, b.height];
      });
      var w = rel.start[2], h = rel.start[3];
      var inView = function (box) {
        return view.k * box[0] + view.tx >= 0 && view.k * box[2] + view.tx <= W &&
               view.k * box[1] + view.ty >= 0 && view.k * box[3] + view.ty <= H;
      };
      var spot = function (dir, d) {  // the label's box at distance d from the marker's centre
        var ux = dir[0], uy = dir[1], c = (ux !== 0 && uy !== 0) ? 0.75 : 1, x0, y0;
        if (ux > 0) { x0 = l.x + c * d; } else if (ux < 0) { x0 = l.x - c * d - w; } else { x0 = l.x - w / 2; }
        if (uy > 0) { y0 = l.y + c * d; } else if (uy < 0) { y0 = l.y - c * d - h; } else { y0 = l.y - h / 2; }
        return [x0, y0, x0 + w, y0 + h];
      };
      var mx = view.k * l.x + view.tx, my = view.k * l.y + view.ty;
      var markerInView = mx >= 0 && mx <= W && my >= 0 && my <= H;
      var dists = [[off, false]].concat(l.site ? LEAD_PX.map(function (p) { return [off + p * inv, true]; })
                                                : [[off + 6 * inv, false]]);
      var passes = l.site ? [true, false] : [true];  // avoid demand circles too, then only the solid markers
      var ok = function (box, lead, withSoft) {
        if (!inView(box) || overlaps2(box, placed)) { return false; }
        var others = solid.concat(withSoft ? soft : [], l.site ? [] : cands).filter(function (m) { return m !== l.marker; });
        if (others.some(function (m) { return overlaps(box, mbox(m)); })) { return false; }
        if (!l.site) { return true; }
        var own = boxGap(box, l.marker, inv), rest = chosenM.filter(function (m) { return m !== l.marker; });
        if (!lead) { return rest.every(function (m) { return boxGap(box, m, inv) > own; }); }
        // with a leader: the leader crosses no other site and the label keeps 20 px clear of the other sites
        var q = nearestPoint(box, l.marker);
        return rest.every(function (m) { return boxGap(box, m, inv) > 20 * inv &&
                                                !segHits(l.marker.x, l.marker.y, q[0], q[1], m, inv); });
      };
      function overlaps2(box, list) { return list.some(function (p) { return overlaps(box, p); }); }
      for (var pi = 0; pi < passes.length; pi++) {
        for (var di = 0; di < dists.length; di++) {
          for (var k = 0; k < DIRS.length; k++) {
            var box = spot(DIRS[k], dists[di][0]);
            if (markerInView && !ok(box, dists[di][1], passes[pi])) { continue; }
            var an = DIRS[k][0] > 0 ? "start" : DIRS[k][0] < 0 ? "end" : "middle";
            setLabel(l, an, box[0] - rel[an][0], box[1] - rel[an][1]);
            if (markerInView) { placed.push(box); }
            if (dists[di][1] && markerInView) { drawLeader(l, box, inv); }
            return;
          }
        }
      }
      l.el.style.display = "none";
    });
  }
  function nearestPoint(box, m) {
    return [Math.min(Math.max(m.x, box[0]), box[2]), Math.min(Math.max(m.y, box[1]), box[3])];
  }
  function drawLeader(l, box, inv) {
    var q = nearestPoint(box, l.marker), dx = q[0] - l.x, dy = q[1] - l.y, L = Math.sqrt(dx * dx + dy * dy);
    var r = edgeR(l.marker, inv);
    if (L <= r) { return; }
    l.leader.setAttribute("x1", l.x + dx / L * r); l.leader.setAttribute("y1", l.y + dy / L * r);
    l.leader.setAttribute("x2", q[0]); l.leader.setAttribute("y2", q[1]);
    l.leader.style.display = "";
  }
  function fit() {
    var W = wrap.clientWidth || 800, H = wrap.clientHeight || 600, e = data.view.extent;
    var x0 = px(e[0]), x1 = px(e[2]), y0 = py(e[3]), y1 = py(e[1]);
    view.k = Math.min(W / (x1 - x0), H / (y1 - y0));
    view.tx = W / 2 - view.k * (x0 + x1) / 2;
    view.ty = H / 2 - view.k * (y0 + y1) / 2;
    apply();
  }
  function zoom(f, cx, cy) {
    var k = Math.max(0.2, Math.min(view.k * f, 1e5));
    f = k / view.k;
    view.tx = cx - f * (cx - view.tx); view.ty = cy - f * (cy - view.ty); view.k = k;
    apply();
  }
  function scalebar() {
    var kmPerPx = 111.32 / view.k;  // one projected unit is one degree of latitude
    var target = 120 * kmPerPx, p = Math.pow(10, Math.floor(Math.log10(target))), n = p;
    [5, 2, 1].some(function (m) { if (m * p <= target) { n = m * p; return true; } return false; });
    var sb = document.getElementById("scalebar");
    sb.querySelector(".bar").style.width = (n / kmPerPx) + "px";
    sb.querySelector(".txt").textContent = n + " km";
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var b = svg.getBoundingClientRect();
    zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - b.left, ev.clientY - b.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty }; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    view.tx = drag.tx + ev.clientX - drag.x; view.ty = drag.ty + ev.clientY - drag.y; apply();
  });
  window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
  svg.addEventListener("dblclick", function (ev) { var b = svg.getBoundingClientRect(); zoom(2, ev.clientX - b.left, ev.clientY - b.top); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.5, svg.clientWidth / 2, svg.clientHeight / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.5, svg.clientWidth / 2, svg.clientHeight / 2); });
  document.getElementById("zoom-reset").addEventListener("click", fit);
  window.addEventListener("resize", fit);

  // layer toggles
  var list = document.getElementById("layer-list");
  data.layers.forEach(function (L) {
    var lab = document.createElement("label");
    var cb = document.createElement("input");
    cb.type = "checkbox"; cb.checked = L.visible; cb.id = "toggle-" + L.id;
    cb.addEventListener("change", function () { groups[L.id].style.display = cb.checked ? "" : "none"; });
    groups[L.id].style.display = L.visible ? "" : "none";
    var sw = document.createElement("span");
    sw.className = "swatch" + (L.line ? " line" : "");
    sw.style.background = L.swatch;
    lab.appendChild(cb); lab.appendChild(sw);
    lab.appendChild(document.createTextNode(" " + L.title + " (" + L.count + ")"));
    list.appendChild(lab);
  });

  fit();
  var nChosen = groups.chosen.querySelectorAll("circle.chosen-site").length;
  svg.setAttribute("data-chosen-sites", String(nChosen));
  document.body.setAttribute("data-ready", "1");
})();
