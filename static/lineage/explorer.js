/* The interactive lineage explorer at /lineage/?urn=URN.
 *
 * The page embeds the first answer of /api/lineage/ as JSON; everything after that is
 * fetched from the API one hop at a time, without reloading the page. The URL follows
 * the state (centre, direction, depth, level, nodes expanded or collapsed), each step is
 * a history entry, and the back button undoes it. Pan and zoom are @panzoom/panzoom's
 * (static/vendor) over our own SVG. */
(function () {
  "use strict";
  var T = window.Tributary;
  var config = JSON.parse(document.getElementById("lineage-config").textContent);
  var frame = document.getElementById("lineage-frame");
  var stage = document.getElementById("lineage-stage");
  var status = document.getElementById("lineage-status");
  var store = new T.LineageStore();
  var answers = new Map();  // base question -> its answer (for centres, and back)
  var openCards = new Set(), shutCards = new Set();
  var current = null;  // {view, layout, rowsAt, index}
  var state = null;
  var selected = null, focusColumn = config.focus || null;
  var filters = { kinds: new Set(), workspaces: new Set(),
    allows: function (node) {
      if (state && state.centres.indexOf(node.urn) >= 0) return true;
      return !this.kinds.has(node.kind) && !this.workspaces.has(node.workspace || "");
    },
    hidesWorkspace: function (ws) { return this.workspaces.has(ws || ""); } };

  var pz = Panzoom(stage, { canvas: true, origin: "0 0", maxScale: 3, minScale: 0.02, step: 0.25,
    cursor: "grab", handleStartEvent: function (e) { e.preventDefault(); } });
  frame.addEventListener("wheel", pz.zoomWithWheel, { passive: false });

  // The drawing is one composited layer (will-change: transform in lineage.css), moved
  // and scaled as it is while the view moves; once the view rests, the layer is made
  // anew at the new scale, so that it is sharp again, and far out the texts that could
  // not be read anyway are left out.
  var settle = null;
  stage.addEventListener("panzoomchange", function () {
    clearTimeout(settle);
    settle = setTimeout(function () {
      if (current && current.svg) current.svg.classList.toggle("far", pz.getScale() < 0.3);
      stage.style.willChange = "auto";
      requestAnimationFrame(function () {
        requestAnimationFrame(function () { stage.style.willChange = ""; });
      });
    }, 250);
  });

  // State and the URL ---------------------------------------------------------------------

  function baseKey(s) { return [s.urn, s.level, s.direction, s.depth].join("|"); }

  function stateFromURL(search) {
    var params = new URLSearchParams(search);
    var q = config.query;
    var s = { urn: params.get("urn") || q.urn, level: params.get("level") || q.level,
      direction: params.get("direction") || q.direction,
      depth: parseInt(params.get("depth") || q.depth, 10) || q.depth,
      expand: new Set(params.getAll("expand")), collapse: new Set(params.getAll("collapse")) };
    if (s.level === "column") s.level = "notebook";  // columns are rows of their tables' cards
    return s;
  }

  function urlOf(s) {
    var params = new URLSearchParams();
    params.set("urn", s.urn);
    params.set("level", s.level);
    params.set("direction", s.direction);
    params.set("depth", String(s.depth));
    if (config.query.observed) params.set("observed", "1");
    Array.from(s.expand).sort().forEach(function (k) { params.append("expand", k); });
    Array.from(s.collapse).sort().forEach(function (k) { params.append("collapse", k); });
    return config.page + "?" + params.toString();
  }

  function historyState(s) {
    return { urn: s.urn, level: s.level, direction: s.direction, depth: s.depth,
      expand: Array.from(s.expand), collapse: Array.from(s.collapse) };
  }

  function fromHistory(h) {
    return { urn: h.urn, level: h.level, direction: h.direction, depth: h.depth,
      expand: new Set(h.expand), collapse: new Set(h.collapse) };
  }

  function fetchAnswer(params) {
    var query = new URLSearchParams(params);
    query.set("hidden", "workspace");
    query.set("columns", "1");
    if (config.query.observed) query.set("observed", "1");
    return fetch(config.api + "?" + query.toString(), { credentials: "same-origin",
      headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.detail || "The lineage service answered " + response.status + ".");
        });
      }
      return response.json();
    });
  }

  function ensureBase(s) {
    var key = baseKey(s);
    if (answers.has(key)) return Promise.resolve(answers.get(key));
    return fetchAnswer({ urn: s.urn, level: s.level, direction: s.direction, depth: s.depth })
      .then(function (answer) { store.merge(answer); answers.set(key, answer); return answer; });
  }

  /* Fetch every hop the state opens but the store does not hold yet, then resolve. */
  function ensureHops(s, rounds) {
    var missing = store.reach(s, s.depth).missing;
    if (!missing.length || rounds > 20) return Promise.resolve();
    return Promise.all(missing.map(function (key) {
      var dir = key.slice(0, key.indexOf("|")), urn = key.slice(key.indexOf("|") + 1);
      return fetchAnswer({ urn: urn, level: s.level, depth: 1,
        direction: dir === "up" ? "upstream" : "downstream" }).then(function (a) { store.merge(a); });
    })).then(function () { return ensureHops(s, rounds + 1); });
  }

  /* Move to state `next`: fetch what it needs, draw it, and record it in the history. */
  function go(next, how) {
    setBusy(true);
    return ensureBase(next).then(function (answer) {
      next.centres = answer.centres;
      if (how.fitDepth) {
        var fitted = store.fitDepth(next, config.limit);
        next.collapsedFrom = fitted < next.depth ? next.depth : null;
        next.depth = fitted;
      }
      return ensureHops(next, 0).then(function () {
        var moved = !state || state.urn !== next.urn || state.level !== next.level;
        state = next;
        if (how.push) history.pushState(historyState(next), "", urlOf(next));
        else if (how.replace) history.replaceState(historyState(next), "", urlOf(next));
        render({ recentre: moved || how.recentre });
        syncControls();
      });
    }).catch(function (error) { showError(error.message); }).then(function () { setBusy(false); });
  }

  function step(change) {
    var next = fromHistory(historyState(state));
    next.centres = state.centres;
    change(next);
    return go(next, { push: true });
  }

  T.explorer = {
    expand: function (id, dir) {
      return step(function (s) {
        var key = dir + "|" + id;
        if (s.collapse.has(key)) s.collapse.delete(key); else s.expand.add(key);
      });
    },
    collapse: function (id, dir) {
      return step(function (s) {
        var key = dir + "|" + id;
        if (s.expand.has(key)) s.expand.delete(key); else s.collapse.add(key);
      });
    },
    centreHere: function (urn) {
      var next = { urn: urn, level: state.level, direction: state.direction,
        depth: state.collapsedFrom || state.depth, expand: new Set(), collapse: new Set() };
      selected = null;
      focusColumn = null;
      return go(next, { push: true, fitDepth: true });
    },
    ask: function (change) {
      var next = { urn: state.urn, level: state.level, direction: state.direction,
        depth: state.depth, expand: new Set(), collapse: new Set() };
      change(next);
      return go(next, { push: true, fitDepth: true, recentre: true });
    },
  };

  window.addEventListener("popstate", function (event) {
    var next = event.state ? fromHistory(event.state) : stateFromURL(location.search);
    go(next, {});
  });

  // Drawing ----------------------------------------------------------------------------------

  function laneKey(item) { return item.workspace || "~warehouse"; }

  function laneLabel(key) {
    if (key === "~warehouse") return "Warehouse";
    return config.lane_names[key] || key;
  }

  function isCardOpen(id) {
    if (shutCards.has(id)) return false;
    return openCards.has(id) || (current ? current.cardsOpen : true);
  }

  function render(how) {
    var started = performance.now();
    var view = store.view(state, filters);
    var cardsOpen = view.nodes.length <= config.open_cards_below;
    current = { cardsOpen: cardsOpen };
    var items = view.nodes.map(function (item) {
      return { id: item.id, lane: laneKey(item), height: T.nodeHeight(item, isCardOpen) };
    });
    var lanes = Array.from(new Set(items.map(function (i) { return i.lane; }))).sort(function (a, b) {
      return (a === "~warehouse") - (b === "~warehouse") || (a < b ? -1 : a > b ? 1 : 0);
    });
    var layout = T.layout(items, view.edges.map(function (e) { return [e[0], e[1]]; }), lanes, T.NODE_WIDTH);
    var laidOut = performance.now();
    var drawing = T.drawSVG(view, layout, config, laneLabel, isCardOpen);
    stage.innerHTML = drawing.svg;
    var svg = stage.firstChild;
    var columnPaths = T.columnPaths(store, drawing.rowsAt);
    svg.querySelector(".column-edges").innerHTML = columnPaths.map(function (p, i) {
      return '<path class="cedge" data-i="' + i + '" d="' + p.d + '"/>';
    }).join("");
    current = { view: view, layout: layout, rowsAt: drawing.rowsAt, svg: svg, columnPaths: columnPaths,
      cardsOpen: cardsOpen, index: indexDrawing(svg, view, columnPaths) };
    window.tributaryLineage.layoutMs = laidOut - started;
    window.tributaryLineage.renderMs = performance.now() - started;
    updateStatus(view);
    T.tools.refresh(current, state);
    if (how && how.recentre) fitOrCentre();
    svg.classList.toggle("far", pz.getScale() < 0.3);
    if (selected && !current.index.nodes.has(selected)) selected = null;
    highlight();
  }

  function indexDrawing(svg, view, columnPaths) {
    var nodes = new Map(), edges = [], up = new Map(), down = new Map();
    svg.querySelectorAll(".nodes > .node").forEach(function (el) { nodes.set(el.getAttribute("data-id"), el); });
    var paths = svg.querySelectorAll(".edges > .edge");
    paths.forEach(function (el) {
      var e = view.edges[+el.getAttribute("data-i")];
      edges.push({ el: el, s: e[0], t: e[1] });
    });
    edges.forEach(function (e, i) {
      if (!down.has(e.s)) down.set(e.s, []);
      if (!up.has(e.t)) up.set(e.t, []);
      down.get(e.s).push(i);
      up.get(e.t).push(i);
    });
    var columns = new Map();
    svg.querySelectorAll(".col[data-col]").forEach(function (el) { columns.set(el.getAttribute("data-col"), el); });
    var cedges = Array.prototype.slice.call(svg.querySelectorAll(".cedge")).map(function (el) {
      var p = columnPaths[+el.getAttribute("data-i")];
      return { el: el, s: p.source, t: p.target };
    });
    return { nodes: nodes, edges: edges, up: up, down: down, columns: columns, cedges: cedges };
  }

  function updateStatus(view) {
    var hidden = view.nodes.filter(function (n) { return n.restricted; })
      .reduce(function (sum, n) { return sum + n.members; }, 0);
    var text = (view.nodes.length - view.nodes.filter(function (n) { return n.restricted; }).length) +
      " nodes, " + view.edges.length + " edges";
    if (hidden) text += " \u00b7 " + hidden + " you may not see";
    if (state.collapsedFrom) {
      text += " \u00b7 started collapsed at depth " + state.depth + " of " + state.collapsedFrom +
        ": the counts on the nodes open the rest";
    }
    status.textContent = text;
  }

  // Highlighting: a node's whole upstream and downstream, or a column's path -----------------

  var lit = [];
  function clearLit() {
    lit.forEach(function (el) { el.classList.remove("lit"); });
    lit = [];
    if (current && current.svg) current.svg.classList.remove("focus");
  }
  function light(el) { el.classList.add("lit"); lit.push(el); }

  function pathOf(id) {
    var idx = current.index, seen = new Set([id]), edgesLit = [];
    [["up", "s"], ["down", "t"]].forEach(function (pair) {
      var queue = [id];
      for (var i = 0; i < queue.length; i++) {
        (idx[pair[0]].get(queue[i]) || []).forEach(function (k) {
          edgesLit.push(k);
          var next = idx.edges[k][pair[1]];
          if (!seen.has(next)) { seen.add(next); queue.push(next); }
        });
      }
    });
    return { nodes: seen, edges: edgesLit };
  }

  function highlight(hovered) {
    clearLit();
    if (!current || !current.index) return;
    var idx = current.index;
    if (focusColumn && !hovered) {
      var columns = store.columnPath(focusColumn);
      var any = false;
      columns.forEach(function (c) {
        var el = idx.columns.get(c);
        if (el) { light(el); light(el.parentNode); any = true; }
      });
      idx.cedges.forEach(function (e) { if (columns.has(e.s) && columns.has(e.t)) light(e.el); });
      if (any) current.svg.classList.add("focus");
      return;
    }
    var id = hovered || selected;
    if (!id || !idx.nodes.has(id)) return;
    var path = pathOf(id);
    path.nodes.forEach(function (n) { var el = idx.nodes.get(n); if (el) light(el); });
    path.edges.forEach(function (k) { light(idx.edges[k].el); });
    current.svg.classList.add("focus");
  }

  // Pointer: click to select, double-click to centre, hover to trace -------------------------

  var down = null;
  stage.addEventListener("pointerdown", function (e) { down = { x: e.clientX, y: e.clientY }; });
  function wasDrag(e) { return down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 5; }

  stage.addEventListener("click", function (e) {
    if (wasDrag(e)) return;
    var nodeEl = e.target.closest(".node");
    var act = e.target.closest("[data-act]");
    if (act && nodeEl) {
      var id = nodeEl.getAttribute("data-id");
      var kind = act.getAttribute("data-act");
      if (kind === "card") {
        if (isCardOpen(id)) { shutCards.add(id); openCards.delete(id); } else { openCards.add(id); shutCards.delete(id); }
        render({});
      } else if (kind === "expand") T.explorer.expand(id, act.getAttribute("data-dir"));
      else T.explorer.collapse(id, act.getAttribute("data-dir"));
      return;
    }
    var col = e.target.closest(".col[data-col]");
    if (col) {
      var urn = col.getAttribute("data-col");
      focusColumn = focusColumn === urn ? null : urn;
      select(nodeEl.getAttribute("data-id"), { keepColumn: true });
      return;
    }
    if (nodeEl) select(nodeEl.getAttribute("data-id"));
    else { focusColumn = null; select(null); }
  });

  stage.addEventListener("dblclick", function (e) {
    var nodeEl = e.target.closest(".node:not(.restricted)");
    if (nodeEl && !e.target.closest("[data-act]")) T.explorer.centreHere(nodeEl.getAttribute("data-id"));
  });

  stage.addEventListener("mouseover", function (e) {
    var nodeEl = e.target.closest(".node");
    if (nodeEl && !focusColumn) highlight(nodeEl.getAttribute("data-id"));
  });
  stage.addEventListener("mouseleave", function () { highlight(); });
  stage.addEventListener("mouseout", function (e) {
    if (!e.relatedTarget || !e.relatedTarget.closest || !e.relatedTarget.closest(".node")) highlight();
  });

  function select(id, how) {
    selected = id;
    if (!how || !how.keepColumn) focusColumn = null;
    highlight();
    T.tools.showPanel(id ? current.view.nodes.find(function (n) { return n.id === id; }) : null, state);
  }

  // Viewport -------------------------------------------------------------------------------

  function fit() {
    var layout = current.layout;
    var w = frame.clientWidth, h = frame.clientHeight;
    var scale = Math.min(1, 0.96 * Math.min(w / layout.width, h / layout.height));
    pz.zoom(scale, { animate: false, force: true });
    pz.pan((w / scale - layout.width) / 2, (h / scale - layout.height) / 2, { animate: false, force: true });
  }

  function centreOn(id, scale) {
    var p = current.layout.pos.get(id);
    if (!p) return;
    var s = scale || pz.getScale();
    if (scale) pz.zoom(s, { animate: false, force: true });
    pz.pan(frame.clientWidth / (2 * s) - (p.x + T.NODE_WIDTH / 2), frame.clientHeight / (2 * s) - (p.y + 21),
      { animate: false, force: true });
  }

  function fitOrCentre() {
    var layout = current.layout;
    var fits = layout.width <= frame.clientWidth / 0.5 && layout.height <= frame.clientHeight / 0.5;
    if (fits) { fit(); return; }
    var centre = state.centres.find(function (c) { return current.layout.pos.has(c); });
    if (centre) centreOn(centre, 0.8); else fit();
  }

  function syncControls() {
    document.querySelectorAll("[data-control]").forEach(function (el) {
      var name = el.getAttribute("data-control");
      if (name in state) el.value = String(state[name]);
    });
  }

  function setBusy(busy) { frame.classList.toggle("busy", busy); }
  function showError(message) {
    var box = document.getElementById("lineage-error");
    box.textContent = message;
    box.hidden = false;
  }

  window.tributaryLineage = { pz: pz, store: store, fit: fit, centreOn: centreOn, select: select,
    render: render, state: function () { return state; }, current: function () { return current; },
    filters: filters, focusColumn: function (urn) { focusColumn = urn; highlight(); },
    highlight: highlight, selected: function () { return selected; } };

  // Start: the embedded answer, then whatever the URL expands ----------------------------------

  var first = stateFromURL(location.search);
  answers.set(baseKey(first), config.answer);
  store.merge(config.answer);
  go(first, { replace: true, fitDepth: first.expand.size === 0 && first.collapse.size === 0, recentre: true })
    .then(function () {
      if (focusColumn) highlight();
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          performance.mark("lineage-interactive");
          document.documentElement.setAttribute("data-lineage", "ready");
        });
      });
    });
})();
