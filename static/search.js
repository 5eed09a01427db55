// Keyboard navigation of /search results: "/" focuses the box, arrows move, Enter opens.
(function () {
  "use strict";
  var current = -1;

  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#search-results .result-link"));
  }

  function select(index) {
    var all = links();
    if (!all.length) { current = -1; return; }
    current = Math.max(-1, Math.min(index, all.length - 1));
    all.forEach(function (link, i) {
      var item = link.closest(".result");
      item.classList.toggle("current", i === current);
      item.setAttribute("aria-selected", i === current ? "true" : "false");
    });
    if (current >= 0) {
      all[current].focus();
    } else {
      document.getElementById("search-input").focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("search-input");
    if (!box) { return; }
    if (event.key === "/" && document.activeElement !== box &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "ArrowDown") {
      if (links().length) { event.preventDefault(); select(current + 1); }
    } else if (event.key === "ArrowUp") {
      if (current >= 0) { event.preventDefault(); select(current - 1); }
    } else if (event.key === "Escape") {
      select(-1);
    }
  });

  // New results: start again from the search box.
  document.addEventListener("htmx:afterSwap", function () { current = -1; });
})();
