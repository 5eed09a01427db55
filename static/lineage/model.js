/* What the explorer knows and what it shows.
 *
 * A Store merges the answers of /api/lineage/ (the first one embedded in the page, then
 * one per hop expanded). `view()` works out from the state in the URL (centre, depth,
 * nodes expanded or collapsed one hop at a time) which nodes are drawn, folds the nodes
 * the viewer may not see into one placeholder per workspace and direction, and counts,
 * for every node drawn, the neighbours not drawn yet. */
(function () {
  "use strict";
  var T = (window.Tributary = window.Tributary || {});
  var DIRS = ["up", "down"];

  function Store() {
    this.nodes = new Map();
    this.adj = { up: new Map(), down: new Map() };
    this.columns = { up: new Map(), down: new Map() };
  }

  function link(map, a, b, value) {
    var around = map.get(a);
    if (!around) map.set(a, (around = new Map()));
    around.set(b, value);
  }

  Store.prototype.merge = function (answer) {
    var self = this;
    answer.nodes.forEach(function (node) {
      var known = self.nodes.get(node.urn);
      if (!known || (known.restricted && !node.restricted)) self.nodes.set(node.urn, node);
    });
    answer.edges.forEach(function (e) {
      link(self.adj.down, e.source, e.target, e.kind);
      link(self.adj.up, e.target, e.source, e.kind);
    });
    (answer.column_edges || []).forEach(function (e) {
      link(self.columns.down, e.source, e.target, true);
      link(self.columns.up, e.target, e.source, true);
    });
  };

  Store.prototype.neighbours = function (id, dir) {
    return this.adj[dir].get(id) || new Map();
  };

  /* Whether every neighbour of `id` in `dir` has been fetched (the server says how many). */
  Store.prototype.isComplete = function (id, dir) {
    var node = this.nodes.get(id);
    if (!node || node.restricted) return true;
    var total = dir === "up" ? node.upstream : node.downstream;
    return total == null || this.neighbours(id, dir).size >= total;
  };

  Store.prototype.columnPath = function (column) {
    var seen = new Set([column]);
    var self = this;
    DIRS.forEach(function (dir) {
      var queue = [column];
      for (var i = 0; i < queue.length; i++) {
        (self.columns[dir].get(queue[i]) || new Map()).forEach(function (_, next) {
          if (!seen.has(next)) { seen.add(next); queue.push(next); }
        });
      }
    });
    return seen;
  };

  /* Which nodes the state reaches: {hop: Map id -> hops, side: Map id -> "up"|"down"|"both",
   * missing: ["dir|id", ...] hops asked for but not fetched yet}. */
  Store.prototype.reach = function (state, depth) {
    var self = this;
    var hop = new Map(), side = new Map(), missing = [];
    var sides = state.direction === "upstream" ? ["up"] : state.direction === "downstream" ? ["down"] : DIRS;
    var queue = [];
    state.centres.forEach(function (c) {
      if (self.nodes.has(c)) { hop.set(c, 0); side.set(c, "both"); queue.push(c); }
    });
    for (var i = 0; i < queue.length; i++) {
      var u = queue[i];
      var node = self.nodes.get(u);
      DIRS.forEach(function (dir) {
        var mine = side.get(u) === "both" ? sides.indexOf(dir) >= 0 : side.get(u) === dir;
        var key = dir + "|" + u;
        var opens = (mine && hop.get(u) < depth && !state.collapse.has(key)) ||
          (!node.restricted && state.expand.has(key));
        if (!opens) return;
        if (!self.isComplete(u, dir)) missing.push(key);
        self.neighbours(u, dir).forEach(function (_, v) {
          if (hop.has(v) || !self.nodes.has(v)) return;
          hop.set(v, hop.get(u) + 1);
          side.set(v, dir);
          queue.push(v);
        });
      });
    }
    return { hop: hop, side: side, missing: missing };
  };

  /* The drawing's nodes and edges: {nodes: [...], edges: [[s, t, kind]], missing, reached}. */
  /* The largest depth up to the one asked whose neighbourhood holds at most `limit` nodes
   * (at least 1): past a few hundred nodes a neighbourhood starts collapsed. */
  Store.prototype.fitDepth = function (state, limit) {
    var depth = state.depth;
    while (depth > 1 && this.reach(state, depth).hop.size > limit) depth -= 1;
    return depth;
  };

  Store.prototype.view = function (state, filters) {
    var depth = state.depth;
    var found = this.reach(state, depth);
    var self = this;
    var kept = new Map();  // raw id -> drawn id (placeholders fold many into one)
    var drawn = new Map();
    found.hop.forEach(function (hops, id) {
      var node = self.nodes.get(id);
      if (!node.restricted && !filters.allows(node)) return;
      if (node.restricted) {
        if (filters.hidesWorkspace(node.workspace)) return;
        var dir = found.side.get(id) === "up" ? "up" : "down";
        var key = "hidden|" + (node.workspace || "") + "|" + dir;
        var holder = drawn.get(key);
        if (!holder) {
          holder = { id: key, kind: "hidden", restricted: true, workspace: node.workspace,
            side: dir, members: 0, kinds: {}, hop: hops };
          drawn.set(key, holder);
        }
        holder.members += 1;
        holder.kinds[node.kind] = (holder.kinds[node.kind] || 0) + 1;
        holder.hop = Math.min(holder.hop, hops);
        kept.set(id, key);
        return;
      }
      var counts = {};
      DIRS.forEach(function (dir) {
        var shown = 0;
        self.neighbours(id, dir).forEach(function (_, v) { if (found.hop.has(v)) shown += 1; });
        var total = dir === "up" ? node.upstream : node.downstream;
        counts[dir] = { shown: shown, more: Math.max(0, (total || 0) - shown) };
      });
      drawn.set(id, { id: id, node: node, kind: node.kind, restricted: false,
        workspace: node.workspace, hop: hops, counts: counts,
        isCentre: hops === 0 && state.centres.indexOf(id) >= 0 });
      kept.set(id, id);
    });
    var edges = new Map();
    var addEdge = function (s, t, kind) {
      if (s === t) return;
      var key = s + "\u0000" + t;
      if (!edges.has(key)) edges.set(key, [s, t, kind]);
    };
    found.hop.forEach(function (_, u) {
      var from = kept.get(u);
      self.neighbours(u, "down").forEach(function (kind, v) {
        if (!found.hop.has(v)) return;
        var to = kept.get(v);
        if (from && to) { addEdge(from, to, kind); return; }
        if (!from) return;
        // A node filtered out: join across it to the next nodes drawn.
        var queue = [v], seen = new Set([v]);
        for (var i = 0; i < queue.length && i < 200; i++) {
          self.neighbours(queue[i], "down").forEach(function (k2, w) {
            if (!found.hop.has(w) || seen.has(w)) return;
            seen.add(w);
            if (kept.get(w)) addEdge(from, kept.get(w), "bridged");
            else queue.push(w);
          });
        }
      });
    });
    var nodes = Array.from(drawn.values()).sort(function (a, b) { return a.hop - b.hop; });
    return { nodes: nodes, edges: Array.from(edges.values()), depth: depth,
      missing: found.missing, reached: found.hop.size };
  };

  T.LineageStore = Store;
})();
