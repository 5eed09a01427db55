/* A layered (Sugiyama-style) layout in the browser, so that expanding a node re-lays the
 * graph in place. The same steps as lineage/layout.py, with nodes of any height (table
 * cards grow with their columns): back edges of a depth-first search reversed, layers by
 * longest path, rows by barycenter sweeps keeping the ordering with the fewest crossings,
 * then each lane (a workspace) a horizontal band. */
(function () {
  "use strict";
  var T = (window.Tributary = window.Tributary || {});

  var LAYER_GAP = 270;
  var ROW_GAP = 16;
  var LANE_PAD = 28;
  var LANE_GAP = 10;
  var LEFT = 150;
  var TOP = 12;

  function acyclic(ids, edges) {
    var succ = new Map();
    ids.forEach(function (id) { succ.set(id, []); });
    edges.forEach(function (e) { if (e[0] !== e[1]) succ.get(e[0]).push(e[1]); });
    var state = new Map();
    var back = new Set();
    ids.forEach(function (root) {
      if (state.has(root)) return;
      state.set(root, 1);
      var stack = [[root, 0]];
      while (stack.length) {
        var top = stack[stack.length - 1];
        var children = succ.get(top[0]);
        if (top[1] < children.length) {
          var child = children[top[1]++];
          var seen = state.get(child);
          if (seen === 1) back.add(top[0] + "\u0000" + child);
          else if (seen === undefined) { state.set(child, 1); stack.push([child, 0]); }
        } else {
          state.set(top[0], 2);
          stack.pop();
        }
      }
    });
    var out = [];
    edges.forEach(function (e) {
      if (e[0] === e[1]) return;
      out.push(back.has(e[0] + "\u0000" + e[1]) ? [e[1], e[0]] : e);
    });
    return out;
  }

  function assignLayers(ids, dag) {
    var succ = new Map(), indeg = new Map(), layer = new Map();
    ids.forEach(function (id) { succ.set(id, []); indeg.set(id, 0); layer.set(id, 0); });
    dag.forEach(function (e) { succ.get(e[0]).push(e[1]); indeg.set(e[1], indeg.get(e[1]) + 1); });
    var remaining = new Map(indeg);
    var queue = ids.filter(function (id) { return indeg.get(id) === 0; });
    for (var q = 0; q < queue.length; q++) {
      var u = queue[q];
      succ.get(u).forEach(function (v) {
        layer.set(v, Math.max(layer.get(v), layer.get(u) + 1));
        remaining.set(v, remaining.get(v) - 1);
        if (remaining.get(v) === 0) queue.push(v);
      });
    }
    ids.forEach(function (id) {  // sources sit just before their nearest successor
      var next = succ.get(id);
      if (indeg.get(id) === 0 && next.length) {
        var nearest = Infinity;
        next.forEach(function (v) { nearest = Math.min(nearest, layer.get(v)); });
        layer.set(id, Math.max(layer.get(id), nearest - 1));
      }
    });
    return layer;
  }

  function crossings(rows, layer, dag) {
    var byGap = new Map();
    dag.forEach(function (e) {
      if (layer.get(e[1]) - layer.get(e[0]) !== 1) return;
      var key = layer.get(e[0]);
      if (!byGap.has(key)) byGap.set(key, []);
      byGap.get(key).push([rows.get(e[0]), rows.get(e[1])]);
    });
    var total = 0;
    byGap.forEach(function (pairs) {
      pairs.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      total += inversions(pairs.map(function (p) { return p[1]; }));
    });
    return total;
  }

  function inversions(values) {  // a Fenwick tree over the values (rows are small integers)
    var size = 0;
    values.forEach(function (v) { if (v + 1 > size) size = v + 1; });
    var tree = new Int32Array(size + 1);
    var count = 0;
    values.forEach(function (v, seen) {
      var notGreater = 0;
      for (var i = v + 1; i > 0; i -= i & -i) notGreater += tree[i];
      count += seen - notGreater;
      for (var j = v + 1; j <= size; j += j & -j) tree[j] += 1;
    });
    return count;
  }

  /* nodes: [{id, lane, height}], in a preferred order (nearest the centre first);
   * edges: [[source, target]]; laneOrder: lane keys top to bottom.
   * Returns {pos: Map id -> {x, y, layer}, lanes: [{key, y, height}], width, height}. */
  T.layout = function (nodes, edges, laneOrder, nodeWidth) {
    var ids = nodes.map(function (n) { return n.id; });
    var byId = new Map(nodes.map(function (n) { return [n.id, n]; }));
    var dag = acyclic(ids, edges.filter(function (e) { return byId.has(e[0]) && byId.has(e[1]); }));
    var layer = assignLayers(ids, dag);
    var laneIndex = new Map(laneOrder.map(function (k, i) { return [k, i]; }));
    var laneOf = function (id) { return laneIndex.get(byId.get(id).lane) || 0; };
    var columns = new Map();
    ids.forEach(function (id) {
      var l = layer.get(id);
      if (!columns.has(l)) columns.set(l, []);
      columns.get(l).push(id);
    });
    var preds = new Map(), succs = new Map();
    ids.forEach(function (id) { preds.set(id, []); succs.set(id, []); });
    dag.forEach(function (e) { preds.get(e[1]).push(e[0]); succs.get(e[0]).push(e[1]); });
    var rows = new Map();
    var order = Array.from(columns.keys()).sort(function (a, b) { return a - b; });
    var renumber = function () {
      columns.forEach(function (col) { col.forEach(function (id, i) { rows.set(id, i); }); });
    };
    columns.forEach(function (col) {
      col.sort(function (a, b) { return laneOf(a) - laneOf(b); });  // stable: keeps BFS order
    });
    renumber();
    var best = new Map(rows), bestCrossings = crossings(rows, layer, dag);
    var barycenter = function (id, around) {
      var linked = around.get(id);
      if (!linked.length) return rows.get(id);
      var sum = 0;
      linked.forEach(function (m) { sum += rows.get(m); });
      return sum / linked.length;
    };
    for (var sweep = 0; sweep < 4 && bestCrossings > 0; sweep++) {
      var down = sweep % 2 === 0;
      var around = down ? preds : succs;
      var keys = down ? order : order.slice().reverse();
      keys.forEach(function (key) {
        var col = columns.get(key);
        var weight = new Map(col.map(function (id) { return [id, barycenter(id, around)]; }));
        col.sort(function (a, b) { return laneOf(a) - laneOf(b) || weight.get(a) - weight.get(b); });
        col.forEach(function (id, i) { rows.set(id, i); });
      });
      var found = crossings(rows, layer, dag);
      if (found < bestCrossings) { best = new Map(rows); bestCrossings = found; }
    }
    // Heights of each lane in each layer, then lane bands as tall as their fullest layer.
    var fill = new Map();
    var offset = new Map();
    ids.slice().sort(function (a, b) {
      return layer.get(a) - layer.get(b) || best.get(a) - best.get(b);
    }).forEach(function (id) {
      var key = layer.get(id) + ":" + laneOf(id);
      var used = fill.get(key) || 0;
      offset.set(id, used);
      fill.set(key, used + byId.get(id).height + ROW_GAP);
    });
    var laneHeight = laneOrder.map(function () { return 0; });
    fill.forEach(function (used, key) {
      var lane = +key.split(":")[1];
      laneHeight[lane] = Math.max(laneHeight[lane], used - ROW_GAP);
    });
    var lanes = [];
    var y = TOP;
    var laneY = new Map();
    laneOrder.forEach(function (key, i) {
      if (!laneHeight[i]) return;
      var height = laneHeight[i] + 2 * LANE_PAD;
      lanes.push({ key: key, y: y, height: height });
      laneY.set(i, y);
      y += height + LANE_GAP;
    });
    var pos = new Map();
    var maxLayer = 0;
    ids.forEach(function (id) {
      var l = layer.get(id);
      if (l > maxLayer) maxLayer = l;
      pos.set(id, {
        x: LEFT + l * LAYER_GAP,
        y: laneY.get(laneOf(id)) + LANE_PAD + offset.get(id),
        layer: l,
        row: best.get(id),
      });
    });
    return {
      pos: pos,
      lanes: lanes,
      width: LEFT + maxLayer * LAYER_GAP + nodeWidth + 40,
      height: y + TOP,
      crossings: bestCrossings,
    };
  };
})();
