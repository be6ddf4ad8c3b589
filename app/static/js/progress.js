// Progress of background work (e.g. a large paper-note import) without reloading: the page works without this
// script (its "Check progress" link reloads it); with it, the bar and sentence follow the job, and the page
// reloads once the work has finished so its result is shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var sentence = box.querySelector("[data-progress-text]");
  var delay = 1500;
  function poll() {
    fetch(box.getAttribute("data-progress-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !state.pending) { window.location.reload(); return; }
        if (state && bar) { bar.max = Math.max(1, state.total); bar.value = state.checked; }
        if (state && sentence) { sentence.textContent = state.checked + " of " + state.total + " notes checked"; }
        delay = Math.min(delay * 1.3, 10000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
}());
