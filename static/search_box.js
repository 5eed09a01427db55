// The search box of every page: "/" focuses it; as you type, the best 8 assets appear
// (name, kind, workspace); ↓/↑ choose, Enter opens (the first unless another is chosen),
// Escape closes; the last line opens the results page. Any input with data-suggest
// (the header's, the home page's) gets the same list.
(function () {
  "use strict";
  var DELAY_MS = 120;

  function attach(input) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.parentNode.appendChild(list);
    var timer = null, sequence = 0, active = -1;

    function options() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    function choose(index) {
      var all = options();
      active = all.length ? Math.max(0, Math.min(index, all.length - 1)) : -1;
      all.forEach(function (link, i) {
        link.parentNode.classList.toggle("active", i === active);
        link.parentNode.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function item(href, parts, className) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      if (className) { li.className = className; }
      var a = document.createElement("a");
      a.href = href;
      parts.forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[1];
        span.textContent = part[0];
        a.appendChild(span);
      });
      li.appendChild(a);
      return li;
    }

    function show(body, query) {
      list.textContent = "";
      body.results.forEach(function (hit) {
        list.appendChild(item(hit.url, [
          [hit.kind, "tag kind-" + hit.kind],
          [hit.name, "suggestion-name"],
          [hit.workspace, "muted small"]
        ]));
      });
      if (!body.results.length) {
        var none = document.createElement("li");
        none.className = "muted small";
        none.textContent = "Nothing found yet.";
        list.appendChild(none);
      }
      list.appendChild(item(body.all_results_url,
        [["All results for “" + query + "”", "all-results"]], "all"));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      choose(0);
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      var mine = ++sequence;
      if (!query) { close(); return; }
      var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && mine === sequence && input.value.trim() === query) { show(body, query); }
        })
        .catch(function () { /* the form still submits to the results page */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        choose(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        choose(active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].href);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      // Late enough for a click on a suggestion to land.
      setTimeout(close, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-suggest]");
    Array.prototype.forEach.call(inputs, attach);
    document.addEventListener("keydown", function (event) {
      var focused = document.activeElement;
      if (event.key !== "/" || (focused && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName)) ||
          (focused && focused.isContentEditable) || document.getElementById("search-input")) {
        return;
      }
      var box = document.getElementById("home-search-input") ||
        document.getElementById("site-search");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
  });
})();
