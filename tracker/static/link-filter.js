/* The evidence form's filter for "What it bears on": typing narrows the checkboxes to those whose text,
   theme or kind holds every word typed; ticked boxes always stay in view. Progressive enhancement: the
   filter box is hidden in the page and shown here, so without JavaScript every checkbox simply shows.
   An external file because the Content-Security-Policy allows scripts from this site only (no inline). */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function legendOf(set) {
    var legend = set ? set.querySelector("legend") : null;
    return legend ? legend.textContent : "";
  }

  function setUp(box) {
    var options = document.getElementById(box.getAttribute("data-link-filter"));
    var input = box.querySelector("input[type=search]");
    var count = box.querySelector("[role=status]");
    if (!options || !input || !count) {
      return;
    }
    var items = Array.prototype.map.call(options.querySelectorAll(".checkbox"), function (element) {
      var text = [legendOf(element.closest(".link-theme")), legendOf(element.closest(".link-kind")),
        element.textContent].join(" ");
      return { element: element, box: element.querySelector("input[type=checkbox]"), text: words(text) };
    });
    var sets = Array.prototype.slice.call(options.querySelectorAll("fieldset"));
    var timer = null;

    function say(query, shown) {
      if (!query) {
        count.textContent = "";
      } else if (shown === 0) {
        count.textContent = "Nothing matches \u201c" + input.value.trim() + "\u201d.";
      } else {
        count.textContent = "Showing " + shown + " of " + items.length + ".";
      }
    }

    function apply() {
      var query = words(input.value);
      var terms = query ? query.split(" ") : [];
      var shown = 0;
      items.forEach(function (item) {
        var match = item.box.checked || terms.every(function (term) {
          return item.text.indexOf(term) !== -1;
        });
        item.element.hidden = !match;
        shown += match ? 1 : 0;
      });
      sets.forEach(function (set) {
        set.hidden = !set.querySelector(".checkbox:not([hidden])");
      });
      // The count is announced (role=status) once typing pauses, not at every key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { say(query, shown); }, 400);
    }

    input.addEventListener("input", apply);
    input.addEventListener("search", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter in the filter box must not send the form
      }
    });
    box.hidden = false;
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-link-filter]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
