// The progress bar of a declaration file: polls the JSON status every second and reloads the
// page once the file is processed (accepted, rejected or failed). No inline script: CSP-safe.
(function () {
  "use strict";
  var section = document.getElementById("filing-progress");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("filing-bar");
  var done = document.getElementById("filing-done");
  var total = document.getElementById("filing-total");

  function show(state) {
    if (bar) {
      bar.max = Math.max(state.lines_total, 1);
      bar.value = Math.min(state.lines_done, bar.max);
      bar.textContent = state.percent + " %";
    }
    if (done) { done.textContent = String(state.lines_done); }
    if (total) { total.textContent = String(state.lines_total); }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        show(state);
        if (state.done) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
