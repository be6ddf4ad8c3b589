// Progress of background work (a theme run, a large paper-note import) without reloading. The box carries
// data-progress-url, whose JSON says {"pending": {"text": ..., "percent": ...}} while the work runs and
// {"pending": null} once it has finished; the page then reloads to show the result. Pages work without this
// script (they refresh themselves, or offer a "Check progress" link). No inline scripts (strict CSP).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var text = box.querySelector("[data-progress-text]");
  var bar = box.querySelector("progress");
  var delay = 1500;
  Array.prototype.forEach.call(box.querySelectorAll("[data-progress-nojs]"), function (el) { el.hidden = true; });

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && !body.pending) {
          if (text) { text.textContent = "Done. Showing the result"; }
          window.location.reload();
          return;
        }
        if (body) {
          if (text && text.textContent !== body.pending.text) { text.textContent = body.pending.text; }
          if (bar) { bar.max = 100; bar.value = body.pending.percent; bar.textContent = body.pending.percent + "%"; }
          delay = Math.min(delay * 1.3, 10000);
        } else {
          delay = Math.min(delay * 2, 30000);
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); window.setTimeout(poll, delay); });
  }
  box.setAttribute("data-progress-ready", "true");
  window.setTimeout(poll, 1000);
}());
