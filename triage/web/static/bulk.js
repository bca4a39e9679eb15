/* Bulk select on a queue page: "Select all on this page" ticks every card's box, a box
   unticked unticks "all", the bar counts what is chosen, and x ticks the card chosen with
   j/k. Without this file the form works the same: "Select all" then means every post the page
   showed, ticked or not. Its words come from the page (`#bulk-count`'s data-one and data-many,
   in the reader's language), never from this file. */
(function () {
  "use strict";

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("input.pick")); }

  function count() {
    var label = document.getElementById("bulk-count");
    if (!label) { return; }
    var n = boxes().filter(function (b) { return b.checked; }).length;
    var words = label.getAttribute(n === 1 ? "data-one" : "data-many") || "{n}";
    label.textContent = n ? words.replace("{n}", String(n)) : "";
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.matches) { return; }
    if (target.id === "bulk-all") {
      boxes().forEach(function (b) { b.checked = target.checked; });
    } else if (target.matches("input.pick") && !target.checked) {
      var all = document.getElementById("bulk-all");
      if (all) { all.checked = false; }
    } else if (!target.matches("input.pick")) {
      return;
    }
    count();
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key !== "x" || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
        event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var box = document.querySelector("article.card.current input.pick");
    if (!box) { return; }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    event.preventDefault();
  });

  // New posts the page added at the top are not chosen by an earlier "Select all": it lets
  // go, so what the bar acts on is exactly the ticked boxes in view.
  document.addEventListener("htmx:afterSwap", function () {
    var all = document.getElementById("bulk-all");
    if (all && all.checked && boxes().some(function (b) { return !b.checked; })) {
      all.checked = false;
    }
    count();
  });
})();
