// Quick polls and the word cloud on the live board, presenter view and console. js/live.js receives the events
// and passes each on as a "chorus:live" DOM event; this script only redraws. Pages work without it (a reload
// shows the current poll and cloud). No inline scripts (strict CSP).
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.fetch) { return; }
  var statusEl = root.querySelector("[data-live-status]");
  var mode = root.getAttribute("data-mode") || "board";

  function all(selector, scope) { return Array.prototype.slice.call((scope || root).querySelectorAll(selector)); }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  // ---- quick polls: counts update in place; a poll opening or closing brings a fresh copy of the section ----
  function setPollCounts(data) {
    all('[data-poll-results][data-poll-id="' + data.poll_id + '"]', document).forEach(function (table) {
      (data.counts || []).forEach(function (count, i) {
        var row = table.querySelector('[data-poll-option="' + i + '"]');
        if (!row) { return; }
        var share = data.total ? Math.round(100 * count / data.total) : 0;
        row.querySelector("[data-poll-count]").textContent = String(count);
        row.querySelector("[data-poll-percent]").textContent = share + "%";
        row.querySelector("[data-poll-bar]").setAttribute("width", String(share));
      });
      var totalEl = table.parentNode.querySelector("[data-poll-total]");
      if (totalEl) { totalEl.textContent = String(data.total || 0); }
    });
  }
  var pollFetch = null;
  function refreshPoll() {
    var section = root.querySelector("[data-live-poll]");
    if (!section || pollFetch || !window.DOMParser) { return; }
    // Never throw away an answer someone has picked and not sent.
    if (section.querySelector("input[type=radio]:checked")) { return; }
    pollFetch = fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-poll]");
        var current = root.querySelector("[data-live-poll]");
        if (fresh && current) { current.parentNode.replaceChild(document.importNode(fresh, true), current); }
      })
      .catch(function () {})
      .then(function () { pollFetch = null; });
  }
  // ---- word cloud: a fresh copy from the server a little after notes change (at most every 10 seconds) ----
  var cloudTimer = null;
  function refreshCloud() {
    if (cloudTimer || !root.querySelector("[data-live-wordcloud]") || !window.DOMParser) { return; }
    cloudTimer = setTimeout(function () {
      fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-wordcloud]");
          var current = root.querySelector("[data-live-wordcloud]");
          if (fresh && current) { current.parentNode.replaceChild(document.importNode(fresh, true), current); }
        })
        .catch(function () {})
        .then(function () { cloudTimer = null; });
    }, 10000);
  }
  function setPoll(data) {
    setPollCounts(data);
    if (mode === "console") { return; }  // the facilitator's own forms reload the console
    var section = root.querySelector("[data-live-poll]");
    if (!section) { return; }
    if (section.getAttribute("data-poll-id") !== String(data.poll_id) || section.getAttribute("data-poll-status") !== data.status) {
      refreshPoll();
      say(data.status === "open" ? "A quick poll has opened: " + data.question : "The quick poll has closed");
    }
  }

  root.addEventListener("chorus:live", function (event) {
    var type = event.detail.type;
    if (type === "poll") { setPoll(event.detail.data); }
    if (type === "idea" || type === "idea_edited" || type === "idea_withdrawn") { refreshCloud(); }
  });
})();
