/* Keyboard shortcuts and presence for the queue. No inline script anywhere: the CSP allows
   only this file and htmx.min.js. j/k move between cards, o opens, c claims, r replies,
   e escalates, i ignores, / focuses the search box. On a queue page a shortcut acts only on
   the card chosen with j/k (or a click): with none chosen, nothing happens. */
(function () {
  "use strict";
  var current = -1;

  function cards() { return Array.prototype.slice.call(document.querySelectorAll("article.card")); }

  function focusCard(index) {
    var all = cards();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (c) { c.classList.remove("current"); });
    all[current].classList.add("current");
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function press(action) {
    var scope;
    if (document.querySelector(".item-layout") !== null) {
      scope = document;  // the item page: its one post is the chosen one
    } else {
      var card = cards()[current];
      if (!card || !card.classList.contains("current")) { return false; }
      scope = card;
    }
    var target = scope.querySelector('[data-action="' + action + '"]');
    if (!target) { return false; }
    target.click();
    return true;
  }

  // A click on a card (not on one of its buttons or links) chooses it.
  document.addEventListener("click", function (event) {
    var card = event.target && event.target.closest ? event.target.closest("article.card") : null;
    if (!card || event.target.closest("a, button, input, select, textarea, summary")) { return; }
    var index = cards().indexOf(card);
    if (index >= 0) { focusCard(index); }
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var key = event.key;
    if (key === "j") { focusCard(current + 1); }
    else if (key === "k") { focusCard(current - 1); }
    else if (key === "o") { press("open"); }
    else if (key === "c") { press("claim"); }
    else if (key === "e") { press("escalate"); }
    else if (key === "i") { press("ignore"); }
    else if (key === "r") {
      var box = document.getElementById("reply-text");
      if (box) { box.focus(); } else { press("reply"); }
    }
    else if (key === "/") {
      var search = document.getElementById("search");
      if (search) { search.focus(); }
    }
    else { return; }
    event.preventDefault();
  });

  // Suggested answers: "Use" fills the reply or DM box without a reload (the link's plain
  // href does the same server-side when scripts are off).
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("[data-fill]") : null;
    if (!link) { return; }
    var box = document.getElementById(link.getAttribute("data-fill"));
    if (!box) { return; }
    event.preventDefault();
    box.value = link.getAttribute("data-text") || "";
    box.focus();
  });

  // Presence: say "I am here" (or "replying" while typing) and show who else is.
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }
  var typedAt = 0;
  var sentAt = 0;

  function itemPresence(activity) {
    var line = document.getElementById("presence");
    if (!line) { return; }
    sentAt = Date.now();
    var body = new URLSearchParams();
    body.set("activity", activity);
    fetch("/items/" + line.getAttribute("data-presence-item") + "/presence", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": csrf() }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (data) { line.textContent = data.others || ""; }
    }).catch(function () {});
  }

  function cardsPresence() {
    var spans = document.querySelectorAll("[data-presence-for]");
    if (!spans.length || document.getElementById("presence")) { return; }
    var ids = Array.prototype.map.call(spans, function (s) { return s.getAttribute("data-presence-for"); });
    fetch("/queue/presence?ids=" + ids.slice(0, 200).join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) { return; }
        spans.forEach(function (s) { s.textContent = data[s.getAttribute("data-presence-for")] || ""; });
      }).catch(function () {});
  }

  document.addEventListener("input", function (event) {
    if (!event.target || !event.target.hasAttribute || !event.target.hasAttribute("data-typing")) { return; }
    typedAt = Date.now();
    if (Date.now() - sentAt > 3000) { itemPresence("replying"); }
  });

  setInterval(function () {
    itemPresence(Date.now() - typedAt < 10000 ? "replying" : "viewing");
    cardsPresence();
  }, 5000);

  // Undo is offered for 10 seconds (the server refuses it after that anyway).
  function expireUndo(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-undo]"), function (el) {
      setTimeout(function () { el.remove(); }, 10000);
    });
  }
  document.addEventListener("htmx:afterSwap", function () { expireUndo(document); });
  document.addEventListener("DOMContentLoaded", function () { expireUndo(document); });

  document.addEventListener("DOMContentLoaded", function () {
    var hash = document.location.hash;
    if (hash === "#reply" || hash === "#dm") {
      var box = document.getElementById(hash === "#reply" ? "reply-text" : "dm-text");
      if (box) { box.focus(); }
    }
  });
})();
