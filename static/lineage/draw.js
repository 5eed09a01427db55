/* The explorer's drawing: one SVG string for lanes, edges, column edges and nodes, with
 * table cards listing their columns. Every name is escaped here; a placeholder for the
 * nodes one may not see is drawn from its count, kinds and workspace alone. */
(function () {
  "use strict";
  var T = (window.Tributary = window.Tributary || {});

  var W = 210, HEAD = 42, ROW = 18, MAX_ROWS = 40, LABEL_CHARS = 28;
  T.NODE_WIDTH = W;

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  T.escape = esc;

  function short(text, limit) {
    limit = limit || LABEL_CHARS;
    return text.length <= limit ? text : "\u2026" + text.slice(text.length - limit + 1);
  }

  /* Rows a card shows: [{name, urn}] (a last row stands for the columns past MAX_ROWS). */
  T.cardRows = function (item, openCards) {
    var node = item.node;
    if (!node || node.kind !== "table" || !node.columns || !node.columns.length) return [];
    if (!openCards(item.id)) return [];
    var base = "column:" + node.urn.slice("table:".length) + ".";
    var rows = node.columns.slice(0, MAX_ROWS).map(function (c) { return { name: c, urn: base + c }; });
    if (node.columns.length > MAX_ROWS) {
      rows.push({ name: "\u2026 " + (node.columns.length - MAX_ROWS) + " more", urn: null,
        rest: node.columns.slice(MAX_ROWS).map(function (c) { return base + c; }) });
    }
    return rows;
  };

  T.nodeHeight = function (item, openCards) {
    return HEAD + T.cardRows(item, openCards).length * ROW + (T.cardRows(item, openCards).length ? 4 : 0);
  };

  function pluralize(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  T.hiddenLabel = function (item) {
    return pluralize(item.members, "asset") + " you may not see";
  };

  function handle(item, dir) {
    var c = item.counts[dir];
    var text = c.more > 0 ? "+" + (c.more > 999 ? "999+" : c.more) : c.shown > 0 ? "\u2212" : "";
    if (!text) return "";
    var x = dir === "up" ? -12 : W + 12;
    var title = c.more > 0 ? "Show " + pluralize(c.more, "more node") + (dir === "up" ? " upstream" : " downstream")
      : "Fold " + (dir === "up" ? "upstream" : "downstream");
    return '<g class="handle handle-' + dir + (c.more > 0 ? " more" : " fold") + '" data-act="' +
      (c.more > 0 ? "expand" : "collapse") + '" data-dir="' + dir + '" transform="translate(' + x +
      ',21)"><title>' + esc(title) + '</title><rect x="-15" y="-9" width="30" height="18" rx="9"/>' +
      '<text y="4" text-anchor="middle">' + text + "</text></g>";
  }

  function drawNode(item, p, rows, colours) {
    var h = HEAD + rows.length * ROW + (rows.length ? 4 : 0);
    var cls = "node node-" + item.kind + (item.isCentre ? " centre" : "") + (item.restricted ? " restricted" : "");
    var out = ['<g class="' + cls + '" data-id="' + esc(item.id) + '" transform="translate(' + p.x + "," + p.y + ')">'];
    if (item.restricted) {
      var kinds = Object.keys(item.kinds).sort().map(function (k) { return pluralize(item.kinds[k], k); }).join(", ");
      out.push("<title>" + esc(T.hiddenLabel(item) + " (" + kinds + ")") + "</title>" +
        '<rect class="box" width="' + W + '" height="' + h + '" rx="6"/>' +
        '<text class="node-kind" x="14" y="16">restricted</text>' +
        '<text class="node-label" x="14" y="32">' + esc(T.hiddenLabel(item)) + "</text></g>");
      return out.join("");
    }
    var node = item.node;
    var title = node.kind + " " + node.name + (node.workspace ? " (" + node.workspace + ")" : "");
    out.push("<title>" + esc(title) + "</title>" +
      '<rect class="box" width="' + W + '" height="' + h + '" rx="6"/>' +
      '<rect class="stripe" width="6" height="' + h + '" rx="3" fill="' + (colours[node.kind] || "#667085") + '"/>' +
      '<text class="node-kind" x="14" y="16">' + esc(node.kind) +
      (node.columns && node.columns.length ? " \u00b7 " + pluralize(node.columns.length, "column") : "") + "</text>" +
      '<text class="node-label" x="14" y="32">' + esc(short(node.label || node.name || "")) + "</text>");
    if (node.columns && node.columns.length) {
      out.push('<text class="card-toggle" data-act="card" x="' + (W - 18) + '" y="17">' +
        (rows.length ? "\u25be" : "\u25b8") + "</text>");
    }
    rows.forEach(function (row, i) {
      out.push('<g class="col' + (row.urn ? "" : " col-more") + '"' + (row.urn ? ' data-col="' + esc(row.urn) + '"' : "") +
        ' transform="translate(0,' + (HEAD + i * ROW) + ')"><rect class="col-bg" x="6" width="' + (W - 6) +
        '" height="' + ROW + '"/><text x="16" y="13">' + esc(short(row.name, 30)) + "</text></g>");
    });
    out.push(handle(item, "up"), handle(item, "down"), "</g>");
    return out.join("");
  }

  function curve(x1, y1, x2, y2) {
    if (x2 > x1) {
      var mid = (x1 + x2) / 2;
      return "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2;
    }
    var bend = Math.max(y1, y2) + 60;  // a reversed (cycle) edge: loop below
    return "M" + x1 + "," + y1 + " C" + (x1 + 80) + "," + bend + " " + (x2 - 80) + "," + bend + " " + x2 + "," + y2;
  }

  /* The SVG of a laid-out view, and where each column row sits (for column edges). */
  T.drawSVG = function (view, layout, config, laneLabel, openCards) {
    var colours = config.kind_colours, edgeStyles = config.edge_styles;
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" role="img" aria-label="Lineage graph" width="' +
      layout.width + '" height="' + layout.height + '" viewBox="0 0 ' + layout.width + " " + layout.height + '">'];
    // No <style> here: the page's Content-Security-Policy refuses inline style sheets. The
    // page styles the drawing from lineage.css; an exported SVG gets T.svgStyle() instead.
    out.push('<g class="lanes">');
    layout.lanes.forEach(function (lane, i) {
      out.push('<g class="lane" data-lane="' + esc(lane.key) + '"><rect x="4" y="' + lane.y + '" width="' + (layout.width - 8) +
        '" height="' + lane.height + '" rx="8" fill="' + config.lane_fills[i % config.lane_fills.length] + '"/>' +
        '<text class="lane-label" x="14" y="' + (lane.y + 20) + '">' + esc(short(laneLabel(lane.key), 18)) + "</text></g>");
    });
    out.push('</g><g class="edges">');
    view.edges.forEach(function (e, i) {
      var a = layout.pos.get(e[0]), b = layout.pos.get(e[1]);
      if (!a || !b) return;
      var style = edgeStyles[e[2]] || ["#98a2b3", "3 3"];
      out.push('<path class="edge edge-' + esc(e[2]) + '" data-i="' + i + '" d="' + curve(a.x + W, a.y + 21, b.x, b.y + 21) +
        '" stroke="' + style[0] + '"' + (style[1] ? ' stroke-dasharray="' + style[1] + '"' : "") + "/>");
    });
    out.push('</g><g class="column-edges"></g><g class="nodes">');
    var rowsAt = new Map();
    view.nodes.forEach(function (item) {
      var p = layout.pos.get(item.id);
      var rows = T.cardRows(item, openCards);
      rows.forEach(function (row, i) {
        var at = { id: item.id, y: p.y + HEAD + i * ROW + ROW / 2, x: p.x };
        if (row.urn) rowsAt.set(row.urn, at);
        (row.rest || []).forEach(function (urn) { rowsAt.set(urn, at); });
      });
      out.push(drawNode(item, p, rows, colours));
    });
    out.push("</g></svg>");
    return { svg: out.join(""), rowsAt: rowsAt };
  };

  /* Column edges between rows of the open cards: [{d, source, target}]. */
  T.columnPaths = function (store, rowsAt) {
    var paths = [];
    rowsAt.forEach(function (from, source) {
      (store.columns.down.get(source) || new Map()).forEach(function (_, target) {
        var to = rowsAt.get(target);
        if (!to || to.id === from.id) return;
        paths.push({ source: source, target: target, d: curve(from.x + W, from.y, to.x, to.y) });
      });
    });
    return paths;
  };

  /* The drawing's style sheet for an SVG that stands alone (export); lineage.css starts
     with the same rules for the page. */
  T.svgStyle = function () {
    return "<style>" +
      ".lineage-graph{font:12px system-ui,sans-serif}" +
      ".edge,.cedge{fill:none;stroke-width:1.4}.cedge{stroke:#9e77ed;stroke-width:1.2;opacity:.8}" +
      ".box{fill:#fff;stroke:#d0d5dd}.centre .box{stroke:#0d1b2a;stroke-width:2.5}" +
      ".restricted .box{fill:#f2f4f7;stroke:#667085;stroke-dasharray:4 3}" +
      ".node-kind{fill:#667085;font-size:10px;text-transform:uppercase;letter-spacing:.04em}" +
      ".node-label{fill:#1d2330;font-size:12px}.restricted .node-label{fill:#475467;font-style:italic}" +
      ".lane-label{fill:#475467;font-size:12px;font-weight:600}" +
      ".col-bg{fill:#fff}.col text{fill:#344054;font-size:11px}.col-more text{fill:#667085;font-style:italic}" +
      ".handle rect{fill:#fff;stroke:#98a2b3}.handle text{font-size:10px;fill:#1f6feb}" +
      ".card-toggle{fill:#667085;font-size:12px;cursor:pointer}" +
      ".far text,.far .handle,.far .col{display:none}" +
      "</style>";
  };
})();
