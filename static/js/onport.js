// Onport: the few behaviours the server-rendered pages need. Every page works without it.
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form as soon as a choice is made (the account switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("[data-autosubmit-button]");
    if (button) { button.hidden = true; }
  });

  // <button data-formset-add="PREFIX">: add a row to a Django formset from its <template id="PREFIX-empty">.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  });
})();

// <input type="checkbox" data-select-all="NAME">: ticks or unticks every checkbox called NAME on the page.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) return;
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});

// [data-selected-count="NAME"]: says how many NAME checkboxes are ticked, or that every match of the search is
// selected ([data-select-matching="NAME"], which then stands for them all).
document.addEventListener("change", function (event) {
  var target = event.target;
  var name = target.getAttribute && (target.name || target.getAttribute("data-select-all"));
  var counter = name && document.querySelector('[data-selected-count="' + name + '"]');
  var matching = counter && document.querySelector('[data-select-matching="' + name + '"]');
  if (!counter) {
    name = target.getAttribute && target.getAttribute("data-select-matching");
    counter = name && document.querySelector('[data-selected-count="' + name + '"]');
    matching = target;
  }
  if (!counter) return;
  if (matching && matching.checked) {
    counter.textContent = "Every issued invoice that matches is selected.";
    return;
  }
  var ticked = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked').length;
  counter.textContent = ticked ? ticked + " selected." : "Select issued invoices to sync.";
});

// [data-waiting-count-url]: the top bar's "n need you", fetched after the page and shown only when n > 0.
document.querySelectorAll("[data-waiting-count-url]").forEach(function (link) {
  fetch(link.getAttribute("data-waiting-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (waiting) {
      if (!waiting || !waiting.count) return;
      link.textContent = waiting.words;
      link.href = waiting.url;
      link.hidden = false;
    })
    .catch(function () { /* the count is a convenience: the Sync log says the same */ });
});

// <form data-confirm="question">: asks before submitting (no inline script, so a strict CSP can forbid them).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The Xero consent tab and the tab it was opened from: the Xero account page ([data-xero-account]) answers the
// callback page ([data-xero-connected]) over a BroadcastChannel, which then closes itself so one copy of Onport
// stays open; with no page to answer, the callback page stays and links to the Xero account.
(function () {
  "use strict";
  if (!window.BroadcastChannel) return;
  var channel = new BroadcastChannel("onport-xero-connect");
  var accountPage = document.querySelector("[data-xero-account]");
  var callbackPage = document.querySelector("[data-xero-connected]");
  if (accountPage) {
    channel.addEventListener("message", function (event) {
      if (!event.data || event.data.connected !== accountPage.getAttribute("data-xero-account")) return;
      channel.postMessage({ answered: event.data.connected });
      var status = document.getElementById("xero-status");
      if (status && window.htmx) { window.htmx.trigger(status, "xero-connected"); }
    });
  }
  if (callbackPage) {
    var pk = callbackPage.getAttribute("data-xero-connected");
    channel.addEventListener("message", function (event) {
      if (!event.data || event.data.answered !== pk) return;
      var note = document.getElementById("xero-back-to-tab");
      if (note) { note.hidden = false; }
      window.close();
    });
    channel.postMessage({ connected: pk });
  }
})();

// A form with a one-time token (input[name="submit_token"]): its buttons rest once it is sent, so a double click
// sends it once (the server does its work once per token anyway); a page shown again from history wakes them.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.querySelector || !form.querySelector('input[name="submit_token"]')) return;
  setTimeout(function () {
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("data-resting", "");
    });
  }, 0);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("button[data-resting]").forEach(function (button) {
    button.disabled = false;
    button.removeAttribute("data-resting");
  });
});
