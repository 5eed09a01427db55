// Behaviour any page may use. It lives here, not in the templates: the Content-Security-
// Policy allows scripts from our own static files only (no inline script, no on*= handlers).
//   <input data-select-on-focus>            selects its text when focused
//   <button data-copy="ID">                 copies the value (or text) of element #ID
(function () {
  "use strict";

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });

  function copied(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }

  function copyByHand(field) {
    // Without the asynchronous clipboard (an insecure origin), select and copy the old way.
    field.focus();
    field.select();
    return document.execCommand("copy");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    event.preventDefault();
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var text = "value" in field ? field.value : field.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { copied(button, "Copied"); },
        function () { copied(button, copyByHand(field) ? "Copied" : "Press Ctrl+C"); }
      );
    } else {
      copied(button, copyByHand(field) ? "Copied" : "Press Ctrl+C");
    }
  });
})();
