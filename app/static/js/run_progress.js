// A pending theme run's progress: asks the server every few seconds and reloads the page once the run is done.
// The page works without this script (it refreshes itself). No inline scripts (strict CSP).
(function () {
  "use strict";
  var box = document.querySelector("[data-run-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var text = box.querySelector("[data-run-progress-text]");
  var bar = box.querySelector("[data-run-progress-bar]");
  Array.prototype.forEach.call(box.querySelectorAll("[data-run-progress-nojs]"), function (el) { el.hidden = true; });

  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return setTimeout(check, 5000); }
        if (!body.pending) {
          if (text) { text.textContent = "Done. Showing the new themes"; }
          window.location.reload();
          return;
        }
        if (text && text.textContent !== body.pending.text) { text.textContent = body.pending.text; }
        if (bar) { bar.value = body.pending.percent; bar.textContent = body.pending.percent + "%"; }
        setTimeout(check, 2000);
      })
      .catch(function () { setTimeout(check, 5000); });
  }
  box.setAttribute("data-run-progress-ready", "true");
  setTimeout(check, 1000);
})();
