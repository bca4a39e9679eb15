/* Saved replies on the item page: `t` opens the picker (the post's saved replies, filled in by
   the server); typing filters, Up/Down move, Enter puts the reply in its box (public reply or
   DM) and selects the first blank left to fill, Esc closes. Without scripts the plain select
   and its Use button do the same with a reload. */
(function () {
  "use strict";
  var picker = document.getElementById("saved-picker");
  if (!picker) { return; }
  var filter = document.getElementById("saved-filter");
  var options = Array.prototype.slice.call(picker.querySelectorAll("[role=option]"));
  var active = -1;
  var opener = null;

  function shown() { return options.filter(function (o) { return !o.hidden; }); }

  function choose(index) {
    var list = shown();
    options.forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    if (!list.length) { active = -1; filter.removeAttribute("aria-activedescendant"); return; }
    active = (index + list.length) % list.length;
    list[active].setAttribute("aria-selected", "true");
    filter.setAttribute("aria-activedescendant", list[active].id);
    list[active].scrollIntoView({ block: "nearest" });
  }

  function open() {
    opener = document.activeElement;
    picker.hidden = false;
    filter.value = "";
    options.forEach(function (o) { o.hidden = false; });
    choose(0);
    filter.focus();
  }

  function close(back) {
    picker.hidden = true;
    if (back && opener && opener.focus) { opener.focus(); }
  }

  function use(option) {
    var box = document.getElementById(option.getAttribute("data-fill"));
    close(false);
    if (!box) { return; }
    box.value = option.getAttribute("data-text");
    box.dispatchEvent(new Event("input", { bubbles: true }));  // presence: "replying"
    box.focus();
    var blank = /\{[a-z][a-z0-9_]*\}/.exec(box.value);
    if (blank) { box.setSelectionRange(blank.index, blank.index + blank[0].length); }
    else { box.setSelectionRange(box.value.length, box.value.length); }
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key !== "t" || !picker.hidden || event.ctrlKey || event.metaKey || event.altKey ||
        tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    event.preventDefault();
    open();
  });

  filter.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { choose(active + 1); }
    else if (event.key === "ArrowUp") { choose(active - 1); }
    else if (event.key === "Enter") { var list = shown(); if (list[active]) { use(list[active]); } }
    else if (event.key === "Escape") { close(true); }
    else { return; }
    event.preventDefault();
  });

  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    options.forEach(function (o) {
      var hay = o.textContent.toLowerCase();
      o.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
    });
    choose(0);
  });

  picker.addEventListener("click", function (event) {
    var option = event.target.closest ? event.target.closest("[role=option]") : null;
    if (option) { use(option); }
    else if (event.target === picker) { close(true); }
  });
})();
