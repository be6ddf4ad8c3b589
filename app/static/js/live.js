// Live board: Server-Sent Events with a polling fallback. The page works without this script
// (a reload shows the current state); this only keeps it up to date. No inline scripts (strict CSP).
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }

  var eventsUrl = root.getAttribute("data-events-url");
  var mode = root.getAttribute("data-mode") || "board";
  var votingMode = root.getAttribute("data-voting-mode");
  var lastId = parseInt(root.getAttribute("data-last-event-id"), 10) || 0;
  var skew = Date.parse(root.getAttribute("data-server-now")) - Date.now() || 0;
  var paused = false, buffered = [], source = null, pollTimer = null, stateTimer = null;
  var pending = { ideas: 0, comments: 0 };
  var timerEl = root.querySelector("[data-live-timer]");
  var statusEl = root.querySelector("[data-live-status]");
  var pauseEl = root.querySelector("[data-live-pause]");
  var template = root.querySelector("template[data-live-card-template]");

  function all(selector, scope) { return Array.prototype.slice.call((scope || root).querySelectorAll(selector)); }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function card(id) { return root.querySelector('[data-idea-id="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]'); }

  all("[data-live-nojs]").forEach(function (el) { el.hidden = true; });

  // ---- timer: every screen counts down to the same server time ----
  function tick() {
    if (!timerEl) { return; }
    var ends = timerEl.getAttribute("data-ends-at");
    if (!ends) { timerEl.hidden = true; return; }
    var left = Math.max(0, Math.round((Date.parse(ends) - (Date.now() + skew)) / 1000));
    var text = left > 0 ? Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) + " left" : "Time is up";
    if (timerEl.textContent.trim() !== text) { timerEl.textContent = text; }
    timerEl.hidden = false;
  }
  setInterval(tick, 1000);

  // ---- rendering ----
  function votesText(votes, hidden) {
    if (hidden || !votes) { return mode === "presenter" ? "Votes hidden until voting ends" : "Votes hidden until you vote"; }
    if (votingMode === "support") { return plural(votes.support || 0, "supporter", "supporters"); }
    return (votes.agree || 0) + " agree · " + (votes.disagree || 0) + " disagree · " + (votes.pass || 0) + " pass";
  }
  function setVotes(el, votes, hidden) {
    var span = el.querySelector("[data-live-votes]");
    if (span) { span.textContent = votesText(votes, hidden); }
    el.setAttribute("data-votes", votes ? JSON.stringify(votes) : "");
  }
  function setComments(el, n) {
    var span = el.querySelector("[data-live-comments]");
    if (!span) { return; }
    n = Math.max(0, n);
    span.setAttribute("data-count", String(n));
    span.textContent = plural(n, "comment", "comments");
  }
  function total(name, delta) {
    var el = root.querySelector('[data-live-total="' + name + '"]');
    if (el) { el.textContent = String(Math.max(0, (parseInt(el.textContent, 10) || 0) + delta)); }
  }
  function recountVotes() {
    var el = root.querySelector('[data-live-total="votes"]');
    if (!el) { return; }
    var sum = 0;
    all("[data-votes]").forEach(function (c) {
      var v = c.getAttribute("data-votes");
      if (!v) { return; }
      v = JSON.parse(v);
      sum += (v.support || 0) + (v.agree || 0) + (v.disagree || 0) + (v.pass || 0);
    });
    el.textContent = String(sum);
  }
  function hasDraft(el) {
    return all("textarea", el).some(function (t) { return t.value.trim() !== ""; });
  }
  function showPhases(phase, label) {
    root.setAttribute("data-phase", phase || "none");
    all("[data-live-phases]").forEach(function (el) {
      var shown = el.getAttribute("data-live-phases").split(" ").indexOf(phase || "none") !== -1;
      // Never take away something a person has typed and not sent: keep the form and say why it stays.
      var kept = !shown && hasDraft(el);
      el.hidden = !shown && !kept;
      all("[data-live-draft-kept]", el).forEach(function (note) {
        note.hidden = !kept;
        var name = note.querySelector("[data-live-draft-phase]");
        if (kept && name) { name.textContent = label || "the next part"; }
      });
    });
  }
  function addIdea(data) {
    if (!template || card(data.idea_id)) { return false; }
    var list = root.querySelector('[data-live-question="' + data.question_id + '"]');
    if (!list) { return false; }
    var node = template.content.firstElementChild.cloneNode(true);
    node.setAttribute("data-idea-id", data.idea_id);
    node.id = "idea-" + data.idea_id;
    node.querySelector("[data-live-body]").textContent = data.body;
    var link = node.querySelector("[data-live-idea-link]");
    if (link) { link.setAttribute("href", root.getAttribute("data-idea-url").replace("__IDEA__", encodeURIComponent(data.idea_id))); }
    var idField = node.querySelector("[data-live-idea-field]");
    if (idField) { idField.value = data.idea_id; }
    all("[data-live-vote-form]", node).forEach(function (form) {
      form.setAttribute("action", form.getAttribute("data-action").replace("__IDEA__", encodeURIComponent(data.idea_id)));
    });
    all("[data-live-phases]", node).forEach(function (el) {
      el.hidden = el.getAttribute("data-live-phases").split(" ").indexOf(root.getAttribute("data-phase")) === -1;
    });
    setVotes(node, votingMode === "support" ? { support: 0 } : { agree: 0, disagree: 0, pass: 0 }, false);
    list.insertBefore(node, list.firstChild);
    var empty = list.parentNode.querySelector("[data-live-empty]");
    if (empty) { empty.hidden = true; }
    return true;
  }
  function setSpotlight(data) {
    var box = root.querySelector("[data-live-spotlight]");
    if (!box) { return; }
    box.hidden = !data || !data.kind;
    if (data && data.kind) {
      box.querySelector("[data-live-spotlight-kind]").textContent = data.kind === "theme" ? "Theme in the spotlight" : "Idea in the spotlight";
      box.querySelector("[data-live-spotlight-text]").textContent = data.text || "";
    }
  }
  function setThemes(themes) {
    all("[data-live-themes]").forEach(function (list) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      (themes || []).forEach(function (theme) {
        var item = document.createElement("li"), name = document.createElement("strong");
        name.textContent = theme.label;
        item.appendChild(name);
        item.appendChild(document.createTextNode(" · " + plural(theme.size, "idea", "ideas")));
        list.appendChild(item);
      });
      list.hidden = !(themes && themes.length);
    });
    all("[data-live-themes-empty]").forEach(function (el) { el.hidden = !!(themes && themes.length); });
  }
  function setPhase(data) {
    var label = root.querySelector("[data-live-phase]");
    if (label) { label.textContent = data.label || ""; label.parentNode.hidden = !data.phase; }
    showPhases(data.phase, data.label);
    if (timerEl) { timerEl.setAttribute("data-ends-at", data.ends_at || ""); tick(); }
  }

  // ---- a polite summary rather than one announcement per item ----
  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  function flushSummary() {
    var parts = [];
    if (pending.ideas) { parts.push(plural(pending.ideas, "new idea", "new ideas")); }
    if (pending.comments) { parts.push(plural(pending.comments, "new comment", "new comments")); }
    pending = { ideas: 0, comments: 0 };
    if (parts.length) { say(parts.join(", ")); }
  }
  setInterval(flushSummary, 3000);

  function apply(type, data) {
    var el;
    // Other scripts on the page (js/live_session.js: polls, word cloud) follow the same events.
    if (window.CustomEvent) { root.dispatchEvent(new CustomEvent("chorus:live", { detail: { type: type, data: data, mode: mode } })); }
    switch (type) {
      case "idea":
        if (addIdea(data)) { pending.ideas += 1; total("ideas", 1); }
        break;
      case "idea_edited":
        el = card(data.idea_id);
        if (el) { el.querySelector("[data-live-body]").textContent = data.body; }
        break;
      case "idea_withdrawn":
        el = card(data.idea_id);
        if (el) { el.parentNode.removeChild(el); total("ideas", -1); recountVotes(); }
        break;
      case "comment":
        el = card(data.idea_id);
        if (el) { setComments(el, parseInt(el.querySelector("[data-live-comments]").getAttribute("data-count"), 10) + 1); }
        pending.comments += 1; total("comments", 1);
        break;
      case "comment_withdrawn":
        el = card(data.idea_id);
        if (el) { setComments(el, parseInt(el.querySelector("[data-live-comments]").getAttribute("data-count"), 10) - 1); }
        total("comments", -1);
        break;
      case "votes":
        el = card(data.idea_id);
        if (data.votes && el) { setVotes(el, data.votes, false); recountVotes(); }
        else if (data.hidden && (mode === "console" || (el && el.getAttribute("data-my-vote")))) { loadState(); }
        break;
      case "phase":
        setPhase(data);
        say("The session has moved on: " + (data.label || "no phase"));
        loadState();
        break;
      case "timer":
        if (timerEl) { timerEl.setAttribute("data-ends-at", data.ends_at || ""); tick(); }
        say(data.ends_at ? "The timer has been set" : "The timer has stopped");
        break;
      case "spotlight":
        setSpotlight(data);
        if (data.kind) { say("New in the spotlight: " + data.text); }
        break;
      case "visibility":
      case "ideas_added":  // paper notes imported: reload the board's state (a typed draft is kept)
        loadState();
        break;
      case "themes":
        setThemes(data.themes);
        say("The themes have been updated");
        break;
      case "reset":
        // Events this page missed were deleted (closed, or past retention): reload, unless the person is
        // in the middle of writing something.
        if (all("textarea", document).some(function (t) { return t.value.trim() !== ""; })) {
          loadState();
          say("Some updates could not be shown. Reload the page to see everything.");
        } else {
          window.location.reload();
        }
        break;
      case "clock":
        if (data.now) { skew = Date.parse(data.now) - Date.now(); }
        break;
    }
  }
  function receive(id, type, data) {
    if (id) { lastId = Math.max(lastId, id); }
    if (paused && type !== "clock") { buffered.push([type, data]); return; }
    apply(type, data);
  }

  // ---- the whole state, after a reset, a phase change or a change of vote visibility ----
  function applyState(state) {
    setPhase({ phase: state.phase, label: state.phase_label, ends_at: state.ends_at });
    setSpotlight(state.spotlight);
    if (state.now) { skew = Date.parse(state.now) - Date.now(); }
    Object.keys(state.ideas).forEach(function (id) {
      var el = card(id);
      if (el) {
        setVotes(el, state.ideas[id].votes, state.ideas[id].votes === null);
        setComments(el, state.ideas[id].comments);
      }
    });
    recountVotes();
  }
  function loadState() {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(function () {
      fetch(eventsUrl + "?state=1&view=" + mode + "&after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          body.events.forEach(function (e) { if (e.type !== "phase" && e.type !== "reset" && e.type !== "visibility") { receive(e.id, e.type, e.data); } });
          lastId = Math.max(lastId, body.last_event_id);
          if (!paused && body.state) { applyState(body.state); }
        })
        .catch(function () {});
    }, 300);
  }

  // ---- transport: EventSource, or polling when streams are blocked ----
  var TYPES = ["idea", "idea_edited", "idea_withdrawn", "comment", "comment_edited", "comment_withdrawn",
               "votes", "phase", "timer", "spotlight", "visibility", "themes", "poll", "reset", "clock"];
  function poll() {
    fetch(eventsUrl + "?after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body) {
          body.events.forEach(function (e) { receive(e.id, e.type, e.data); });
          if (body.reset) { receive(0, "reset", {}); }
          lastId = Math.max(lastId, body.last_event_id);
        }
      })
      .catch(function () {})
      .then(function () { pollTimer = setTimeout(poll, 2000); });
  }
  function startPolling() {
    if (source) { source.close(); source = null; }
    if (!pollTimer) { poll(); }
  }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    var opened = false, failures = 0;
    source = new EventSource(eventsUrl + "?after=" + lastId);
    source.onopen = function () { opened = true; failures = 0; };
    source.onerror = function () {
      failures += 1;
      // A proxy that blocks streams fails before the first event: fall back to polling.
      if ((!opened && failures >= 2) || source.readyState === 2) { startPolling(); }
    };
    TYPES.forEach(function (type) {
      source.addEventListener(type, function (event) {
        receive(parseInt(event.lastEventId, 10) || 0, type, JSON.parse(event.data || "{}"));
      });
    });
  }

  // ---- console: spotlight (any idea, including one that arrived live) without leaving the page ----
  // The server stays the authority: the spotlight box changes when its "spotlight" event arrives.
  if (mode === "console") {
    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-live-spotlight-form") || !window.fetch) { return; }
      event.preventDefault();
      fetch(form.getAttribute("action"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.json().catch(function () { return { ok: r.ok, message: "" }; }); })
        .then(function (body) {
          if (!body.ok) { say(body.message || "That did not work. Reload the page and try again."); }
          if (!source && !pollTimer) { loadState(); }
        })
        .catch(function () { form.submit(); });
    });
  }

  // ---- pause control ----
  if (pauseEl) {
    pauseEl.hidden = false;
    pauseEl.addEventListener("click", function () {
      paused = !paused;
      pauseEl.setAttribute("aria-pressed", paused ? "true" : "false");
      pauseEl.textContent = paused ? "Resume live updates" : "Pause live updates";
      if (paused) {
        say("Live updates paused");
      } else {
        var queued = buffered;
        buffered = [];
        queued.forEach(function (item) { apply(item[0], item[1]); });
        flushSummary();
        say("Live updates resumed");
      }
    });
  }

  all("[data-idea-id]").forEach(function (el) {
    var span = el.querySelector("[data-live-votes]");
    if (span && !/hidden/.test(span.textContent)) {
      var m = span.textContent.match(/\d+/g) || [];
      el.setAttribute("data-votes", JSON.stringify(votingMode === "support" ? { support: +m[0] || 0 } : { agree: +m[0] || 0, disagree: +m[1] || 0, pass: +m[2] || 0 }));
    }
  });
  root.setAttribute("data-live-ready", "true");
  tick();
  connect();
})();
