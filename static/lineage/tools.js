/* The explorer's tools around the drawing: the side panel, filters by kind and
 * workspace, find by name, export as SVG and PNG, the minimap and the keyboard. */
(function () {
  "use strict";
  var T = (window.Tributary = window.Tributary || {});
  var config = JSON.parse(document.getElementById("lineage-config").textContent);
  var frame = document.getElementById("lineage-frame");
  var panel = document.getElementById("lineage-panel");
  var minimap = document.getElementById("lineage-minimap");
  var lineage = function () { return window.tributaryLineage; };
  var last = null;  // the current drawing

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  // Side panel ---------------------------------------------------------------------------

  function fact(list, term, value) {
    if (value == null || value === "") return;
    list.appendChild(el("dt", {}, term));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    list.appendChild(dd);
  }

  function countsLine(item, dir) {
    var c = item.counts[dir];
    var wrap = el("span");
    wrap.appendChild(document.createTextNode(c.shown + " drawn"));
    if (c.more) {
      var more = el("button", { type: "button", class: "link", "data-panel-expand": dir }, "+" + c.more + " more");
      more.addEventListener("click", function () { T.explorer.expand(item.id, dir); });
      wrap.appendChild(document.createTextNode(" \u00b7 "));
      wrap.appendChild(more);
    }
    return wrap;
  }

  T.tools = {};
  T.tools.showPanel = function (item) {
    panel.innerHTML = "";
    if (!item) { panel.hidden = true; return; }
    panel.hidden = false;
    var close = el("button", { type: "button", class: "link panel-close", "aria-label": "Close" }, "\u00d7");
    close.addEventListener("click", function () { lineage().select(null); });
    panel.appendChild(close);
    if (item.restricted) {
      panel.appendChild(el("h2", {}, T.hiddenLabel(item)));
      var kinds = Object.keys(item.kinds).sort().map(function (k) { return item.kinds[k] + " " + k + (item.kinds[k] === 1 ? "" : "s"); });
      var dl = el("dl", { class: "facts" });
      fact(dl, "Kinds", kinds.join(", "));
      fact(dl, "Workspace", item.workspace ? (config.lane_names[item.workspace] || item.workspace) : "not known");
      fact(dl, "Direction", item.side === "up" ? "upstream" : "downstream");
      panel.appendChild(dl);
      panel.appendChild(el("p", { class: "muted small" }, "Ask a workspace admin for access to see them."));
      return;
    }
    var node = item.node;
    panel.appendChild(el("p", { class: "panel-kind tag" }, node.kind));
    panel.appendChild(el("h2", { class: "panel-name" }, node.label || node.name));
    var facts = el("dl", { class: "facts" });
    fact(facts, "Name", node.name);
    fact(facts, "Workspace", node.workspace ? (config.lane_names[node.workspace] || node.workspace) : "the warehouse");
    fact(facts, "Upstream", countsLine(item, "up"));
    fact(facts, "Downstream", countsLine(item, "down"));
    panel.appendChild(facts);
    var more = el("dl", { class: "facts panel-details" });
    panel.appendChild(more);
    var actions = el("p", { class: "panel-actions" });
    var open = el("a", { href: config.asset_page + "?urn=" + encodeURIComponent(node.urn), class: "panel-page" }, "Open its page");
    var centre = el("button", { type: "button", class: "panel-centre" }, "Centre here");
    centre.addEventListener("click", function () { T.explorer.centreHere(node.urn); });
    actions.appendChild(open);
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(centre);
    panel.appendChild(actions);
    fetch(config.asset_api + "?urn=" + encodeURIComponent(node.urn), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (asset) {
        if (!asset || panel.hidden) return;
        fact(more, "Title", asset.title && asset.title !== node.name ? asset.title : "");
        fact(more, "Owner", asset.owner || "not set");
        fact(more, "Description", asset.description || "none yet");
        fact(more, "Tags", asset.tags.join(", "));
        open.setAttribute("href", asset.url);
      });
  };

  // Filters ------------------------------------------------------------------------------

  var filterBox = document.getElementById("lineage-filters");
  function refreshFilters(current) {
    var filters = lineage().filters;
    var kinds = new Set(), workspaces = new Set();
    lineage().store.nodes.forEach(function (n) {
      if (!n.restricted) kinds.add(n.kind);
      workspaces.add(n.workspace || "");
    });
    var html = [];
    var box = function (group, value, label, off) {
      return '<label><input type="checkbox" data-filter="' + group + '" value="' + T.escape(value) + '"' +
        (off ? "" : " checked") + "> " + T.escape(label) + "</label>";
    };
    html.push('<fieldset><legend>Kinds</legend>');
    Array.from(kinds).sort().forEach(function (k) { html.push(box("kind", k, k, filters.kinds.has(k))); });
    html.push('</fieldset><fieldset><legend>Workspaces</legend>');
    Array.from(workspaces).sort().forEach(function (w) {
      html.push(box("workspace", w, w ? config.lane_names[w] || w : "Warehouse", filters.workspaces.has(w)));
    });
    html.push("</fieldset>");
    filterBox.innerHTML = html.join("");
  }
  filterBox.addEventListener("change", function (e) {
    var input = e.target;
    var set = input.getAttribute("data-filter") === "kind" ? lineage().filters.kinds : lineage().filters.workspaces;
    if (input.checked) set.delete(input.value); else set.add(input.value);
    lineage().render({});
  });

  // Find by name -------------------------------------------------------------------------

  var find = document.getElementById("lineage-find");
  var findCount = document.getElementById("lineage-find-count");
  var matches = [], matchAt = -1;
  function runFind() {
    var q = find.value.trim().toLowerCase();
    if (last && last.svg) last.svg.querySelectorAll(".match").forEach(function (n) { n.classList.remove("match"); });
    matches = [];
    matchAt = -1;
    if (q && last) {
      last.view.nodes.forEach(function (item) {
        var text = item.restricted ? "" : ((item.node.label || "") + " " + (item.node.name || "")).toLowerCase();
        if (text.indexOf(q) >= 0) {
          matches.push(item.id);
          var node = last.index.nodes.get(item.id);
          if (node) node.classList.add("match");
        }
      });
    }
    findCount.textContent = q ? matches.length + " found" : "";
  }
  find.addEventListener("input", runFind);
  find.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !matches.length) return;
    e.preventDefault();
    matchAt = (matchAt + 1) % matches.length;
    lineage().select(matches[matchAt]);
    lineage().centreOn(matches[matchAt]);
    findCount.textContent = (matchAt + 1) + " of " + matches.length;
  });

  // Export -------------------------------------------------------------------------------

  function svgText() {
    var copy = last.svg.cloneNode(true);
    copy.classList.remove("focus");
    // A file has no lineage.css: the style sheet goes into the copy, which never joins the page.
    var defs = document.createElementNS("http://www.w3.org/2000/svg", "defs");
    defs.innerHTML = T.svgStyle();
    copy.insertBefore(defs, copy.firstChild);
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
  }
  function download(blob, name) {
    var a = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  T.tools.exportSVG = function () { download(new Blob([svgText()], { type: "image/svg+xml" }), "lineage.svg"); };
  T.tools.exportPNG = function () {
    var image = new Image();
    var w = last.layout.width, h = last.layout.height;
    var scale = Math.min(2, Math.sqrt(32e6 / (w * h)));  // stay within a canvas' size
    return new Promise(function (resolve) {
      image.onload = function () {
        var canvas = el("canvas", { width: Math.round(w * scale), height: Math.round(h * scale) });
        var ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) { download(blob, "lineage.png"); resolve(); }, "image/png");
      };
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText());
    });
  };
  document.getElementById("lineage-export-svg").addEventListener("click", T.tools.exportSVG);
  document.getElementById("lineage-export-png").addEventListener("click", T.tools.exportPNG);
  document.getElementById("lineage-fit").addEventListener("click", function () { lineage().fit(); });

  // Question controls: direction, depth, level --------------------------------------------

  document.querySelectorAll("[data-control]").forEach(function (input) {
    input.addEventListener("change", function () {
      var name = input.getAttribute("data-control");
      var value = name === "depth" ? Math.max(1, Math.min(20, parseInt(input.value, 10) || 1)) : input.value;
      T.explorer.ask(function (s) { s[name] = value; });
    });
  });

  // Minimap ------------------------------------------------------------------------------

  function drawMinimap() {
    if (!last) return;
    var layout = last.layout;
    var pz = lineage().pz, scale = pz.getScale(), pan = pz.getPan();
    var big = layout.width * scale > frame.clientWidth || layout.height * scale > frame.clientHeight;
    minimap.hidden = !big;
    if (!big) return;
    var k = Math.min(minimap.width / layout.width, minimap.height / layout.height);
    var ctx = minimap.getContext("2d");
    ctx.clearRect(0, 0, minimap.width, minimap.height);
    layout.lanes.forEach(function (lane, i) {
      ctx.fillStyle = config.lane_fills[i % config.lane_fills.length];
      ctx.fillRect(0, lane.y * k, layout.width * k, lane.height * k);
    });
    ctx.fillStyle = "#667085";
    last.view.nodes.forEach(function (item) {
      var p = layout.pos.get(item.id);
      ctx.fillRect(p.x * k, p.y * k, Math.max(1, T.NODE_WIDTH * k), Math.max(1, 40 * k));
    });
    ctx.strokeStyle = "#1f6feb";
    ctx.lineWidth = 2;
    ctx.strokeRect(-pan.x * k, -pan.y * k, frame.clientWidth / scale * k, frame.clientHeight / scale * k);
    minimap.k = k;
  }
  var queued = false;
  function queueMinimap() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; drawMinimap(); });
  }
  document.getElementById("lineage-stage").addEventListener("panzoomchange", queueMinimap);
  function jump(e) {
    var r = minimap.getBoundingClientRect(), pz = lineage().pz, s = pz.getScale();
    var x = (e.clientX - r.left) / minimap.k, y = (e.clientY - r.top) / minimap.k;
    pz.pan(frame.clientWidth / (2 * s) - x, frame.clientHeight / (2 * s) - y, { animate: false, force: true });
  }
  minimap.addEventListener("pointerdown", function (e) {
    e.stopPropagation();
    jump(e);
    var move = function (m) { jump(m); };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", function () { window.removeEventListener("pointermove", move); }, { once: true });
  });

  // Keyboard -----------------------------------------------------------------------------

  function neighbourOf(id, key) {
    var current = lineage().current(), pos = current.layout.pos, p = pos.get(id);
    if (!p) return null;
    var best = null, bestScore = Infinity;
    current.view.nodes.forEach(function (item) {
      var q = pos.get(item.id);
      if (item.id === id || !q) return;
      var dx = q.x - p.x, dy = q.y - p.y, score;
      if (key === "ArrowRight" && dx > 0) score = dx + 3 * Math.abs(dy);
      else if (key === "ArrowLeft" && dx < 0) score = -dx + 3 * Math.abs(dy);
      else if (key === "ArrowDown" && dy > 0 && q.layer === p.layer) score = dy;
      else if (key === "ArrowUp" && dy < 0 && q.layer === p.layer) score = -dy;
      else return;
      if (score < bestScore) { bestScore = score; best = item.id; }
    });
    return best;
  }

  frame.addEventListener("keydown", function (e) {
    var L = lineage(), id = L.selected(), pz = L.pz;
    if (e.key.indexOf("Arrow") === 0) {
      e.preventDefault();
      var next = id ? neighbourOf(id, e.key) : (L.state().centres.find(function (c) { return last.layout.pos.has(c); }) || null);
      if (next) { L.select(next); L.centreOn(next); }
    } else if (e.key === "Enter" && id && id.indexOf("hidden|") !== 0) {
      T.explorer.centreHere(id);
    } else if (e.key === "+" || e.key === "=") { pz.zoomIn({ animate: false }); }
    else if (e.key === "-") { pz.zoomOut({ animate: false }); }
    else if (e.key === "0" || e.key === "f") { L.fit(); }
    else if ((e.key === "[" || e.key === "]") && id && id.indexOf("hidden|") !== 0) {
      T.explorer.expand(id, e.key === "[" ? "up" : "down");
    } else if (e.key === "Escape") { L.select(null); }
    else if (e.key === "/") { e.preventDefault(); find.focus(); }
    else return;
  });

  T.tools.refresh = function (current) {
    last = current;
    refreshFilters(current);
    runFind();
    queueMinimap();
  };
})();
