// Help while writing an idea or comment: similar ideas already posted, and identifying details.
// Progressive enhancement only: the forms work without it, and the server checks again on submit.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function post(url, text) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ text: text })
    }).then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function render(region, spans, similar) {
    region.textContent = "";
    if (spans && spans.length) {
      var warn = el("div", "nhsuk-warning-callout chorus-draft-warning");
      var label = el("h3", "nhsuk-warning-callout__label", "This may identify someone");
      warn.appendChild(label);
      warn.appendChild(el("p", "", "Consider removing these before you post:"));
      var list = el("ul", "nhsuk-list nhsuk-list--bullet");
      spans.slice(0, 5).forEach(function (span) {
        var item = el("li");
        item.appendChild(el("mark", "chorus-mark", span.text));
        item.appendChild(document.createTextNode(" – " + span.reason));
        list.appendChild(item);
      });
      warn.appendChild(list);
      region.appendChild(warn);
    }
    if (similar && similar.length) {
      var box = el("div", "nhsuk-inset-text chorus-similar");
      box.appendChild(el("h3", "nhsuk-heading-s", "Similar ideas already posted – support one instead?"));
      var ideas = el("ul", "nhsuk-list");
      similar.slice(0, 3).forEach(function (idea) {
        // The suggestion opens here (or in a new tab), never in place of the form, so the draft is kept.
        var item = el("li");
        var details = el("details", "nhsuk-details chorus-similar__idea");
        var summary = el("summary", "nhsuk-details__summary");
        summary.appendChild(el("span", "nhsuk-details__summary-text", idea.body.length > 160 ? idea.body.slice(0, 157) + "…" : idea.body));
        details.appendChild(summary);
        var text = el("div", "nhsuk-details__text");
        text.appendChild(el("p", "chorus-similar__body", idea.body));
        var link = el("a", "", "Open this idea in a new tab to support it");
        link.href = "/ideas/" + encodeURIComponent(idea.id);
        link.target = "_blank";
        link.rel = "noopener";
        text.appendChild(el("p")).appendChild(link);
        details.appendChild(text);
        item.appendChild(details);
        ideas.appendChild(item);
      });
      box.appendChild(ideas);
      region.appendChild(box);
    }
    region.hidden = !region.firstChild;
  }

  document.querySelectorAll("form[data-chorus-draft]").forEach(function (form) {
    var textarea = form.querySelector("textarea");
    var region = form.querySelector("[data-chorus-draft-help]");
    if (!textarea || !region) { return; }
    region.setAttribute("aria-live", "polite");
    // Similar ideas are shown while typing here, so the server need not stop the post to show them again.
    var similarChecked = form.querySelector('input[name="similar_checked"]');
    if (similarChecked) { similarChecked.value = "1"; }
    var timer = null;
    var last = "";
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = textarea.value.trim();
        if (text === last) { return; }
        last = text;
        if (text.length < 5) { render(region, [], []); return; }
        var checks = [post(form.getAttribute("data-check-url"), text)];
        var similarUrl = form.getAttribute("data-similar-url");
        checks.push(similarUrl && text.length >= 12 ? post(similarUrl, text) : Promise.resolve(null));
        Promise.all(checks).then(function (results) {
          if (textarea.value.trim() !== text) { return; }
          render(region, results[0] && results[0].spans, results[1] && results[1].ideas);
        });
      }, 450);
    });
  });
})();
