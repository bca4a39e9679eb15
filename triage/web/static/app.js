/* Keyboard shortcuts for the queue. No inline script anywhere: the CSP allows only this file
   and htmx.min.js. j/k move between cards, o opens, c claims, r replies, e escalates,
   i ignores, / focuses the search box. */
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
    var all = cards();
    var card = all[current] || (all.length === 1 ? all[0] : null);
    var scope = card && document.querySelector(".item-layout") === null ? card : document;
    var target = scope.querySelector('[data-action="' + action + '"]');
    if (!target) { return false; }
    target.click();
    return true;
  }

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

  document.addEventListener("DOMContentLoaded", function () {
    var hash = document.location.hash;
    if (hash === "#reply" || hash === "#dm") {
      var box = document.getElementById(hash === "#reply" ? "reply-text" : "dm-text");
      if (box) { box.focus(); }
    }
  });
})();
