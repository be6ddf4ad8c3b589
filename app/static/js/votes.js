// Vote in place on lists of ideas: send the vote in the background and redraw only that idea's votes, so
// a long page keeps its place. Progressive enhancement: without it the form posts and the server redirects
// back to the idea's anchor.
(function () {
  "use strict";
  var status = document.createElement("div");
  status.className = "nhsuk-u-visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("data-vote-status", "");
  document.body.appendChild(status);

  function say(text) { status.textContent = text; }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var votes = form.closest ? form.closest(".chorus-idea .chorus-votes") : null;
    if (!votes || form.hasAttribute("data-live-vote-form") || form.hasAttribute("data-vote-plain")) { return; }
    var card = votes.closest(".chorus-idea");
    if (!card || !card.id) { return; }
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    var submitter = event.submitter || null;
    var pressed = submitter ? submitter.value : "";
    Array.prototype.forEach.call(votes.querySelectorAll("button"), function (b) { b.disabled = true; });
    var landed = null;
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        landed = response.url;
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("#" + CSS.escape(card.id) + " .chorus-votes");
        if (!fresh) { window.location.assign(landed); return; }  // the vote was sent: show where it landed
        votes.innerHTML = fresh.innerHTML;
        // The server's refusal (closed, phase moved on), if any, is read out; else the new count.
        var problem = page.querySelector(".nhsuk-error-summary__body");
        var count = votes.querySelector(".chorus-votes__count");
        say(problem ? problem.textContent.trim() : "Vote saved. " + (count ? count.textContent.trim() : ""));
        var again = (pressed && votes.querySelector('button[value="' + CSS.escape(pressed) + '"]')) || votes.querySelector("button");
        if (again) { again.focus(); }
      })
      .catch(function () {
        // Not sent, or refused with an error page: the plain form posts again and shows the outcome.
        if (landed) { window.location.assign(landed); return; }
        Array.prototype.forEach.call(votes.querySelectorAll("button"), function (b) { b.disabled = false; });
        form.setAttribute("data-vote-plain", "");
        if (submitter && form.contains(submitter)) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      });
  });
})();
