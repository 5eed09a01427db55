// Access review keyboard: j/k move, a keep, r revoke, u undecide, n note, p next undecided.
// Each decision is saved at once; without this script the page's form still works.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form || !form.querySelector("input[type=radio]")) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-item]"));
  if (!rows.length) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var progress = document.getElementById("review-progress");
  var current = 0;

  function select(index) {
    if (index < 0 || index >= rows.length) return;
    rows[current].classList.remove("current");
    current = index;
    rows[current].classList.add("current");
    rows[current].focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function field(row, prefix) {
    return row.querySelector("[name='" + prefix + row.dataset.item + "']:not([type=hidden])");
  }

  function showState(row, decision) {
    row.classList.remove("decision-keep", "decision-revoke", "decision-pending", "saving");
    row.classList.add("decision-" + decision);
    row.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = radio.value === decision;
    });
    var hidden = row.querySelector("input[type=hidden][name^='decision-']");
    if (hidden) hidden.value = decision;
  }

  function save(row, decision) {
    var id = row.dataset.item;
    var note = field(row, "note-");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("items", id);
    data.append("decision-" + id, decision);
    data.append("note-" + id, note ? note.value : "");
    row.classList.add("saving");
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "Not saved");
          return body;
        });
      })
      .then(function (body) {
        showState(row, decision);
        row.classList.remove("error");
        var p = body.progress;
        if (progress && p) {
          progress.querySelector("[data-decided]").textContent = p.decided;
          progress.querySelector("[data-kept]").textContent = p.kept;
          progress.querySelector("[data-revoked]").textContent = p.revoked;
          progress.querySelector(".bar span").style.width = p.percent + "%";
        }
      })
      .catch(function (err) {
        row.classList.remove("saving");
        row.classList.add("error");
        row.title = err.message;
      });
  }

  function decide(decision) {
    var row = rows[current];
    save(row, decision);
    if (decision !== "pending") select(current + 1);
  }

  function nextUndecided() {
    for (var i = 1; i <= rows.length; i++) {
      var index = (current + i) % rows.length;
      if (rows[index].classList.contains("decision-pending")) return select(index);
    }
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("tr[data-item]");
    if (!row) return;
    if (event.target.type === "radio") save(row, event.target.value);
    else if (event.target.name.indexOf("note-") === 0) {
      var checked = row.querySelector("input[type=radio]:checked");
      save(row, checked ? checked.value : "pending");
    }
  });

  form.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-item]");
    if (row) {
      rows[current].classList.remove("current");
      current = rows.indexOf(row);
      row.classList.add("current");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.tagName === "INPUT" && target.type === "text") {
      if (event.key === "Enter" || event.key === "Escape") {
        event.preventDefault();
        target.blur(); // blurring fires "change", which saves the note
        rows[current].focus({ preventScroll: true });
      }
      return;
    }
    if (target.tagName === "SELECT" || target.tagName === "TEXTAREA") return;
    var handled = true;
    switch (event.key) {
      case "j": case "ArrowDown": select(current + 1); break;
      case "k": case "ArrowUp": select(current - 1); break;
      case "a": decide("keep"); break;
      case "r": decide("revoke"); break;
      case "u": decide("pending"); break;
      case "p": nextUndecided(); break;
      case "n": var note = field(rows[current], "note-"); if (note) note.focus(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  select(0);
})();
