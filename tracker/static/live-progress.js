/* A page that shows a background job's progress (the survey's "every report as PDFs" set): asks the same
   address again every few seconds and updates the page in place instead of reloading it on a timer
   (WCAG 2.2.1). Driven by data attributes, so any such page can use it:
     data-live-every="5"  on the polite status region (role=status, with an id): seconds between checks;
     data-live-part       on other parts (each with an id) copied from the fresh page when they change.
   The status region is copied only when its words change, so it announces news, not the same words again.
   Checking stops when the fresh page's region no longer has data-live-every (the job is done, failed or
   stopped), after copying that page's words and parts; an error or an unexpected answer stops it with a
   "Check again" link. Paused while the page is hidden. Progressive enhancement: without script the page
   reloads itself (the refresh in its <noscript>).
   An external file because the Content-Security-Policy allows scripts from this site only (no inline). */
(function () {
  "use strict";

  function copyChildren(from, to) {
    to.replaceChildren.apply(to, Array.prototype.map.call(from.childNodes, function (node) {
      return document.importNode(node, true);
    }));
  }

  // A link or control inside `part` that has the focus keeps it across the copy (the same id or address).
  function copyKeepingFocus(from, part) {
    var focused = document.activeElement;
    var id = part.contains(focused) ? focused.id : "";
    var href = part.contains(focused) ? focused.getAttribute("href") : null;
    copyChildren(from, part);
    var again = id ? document.getElementById(id) : null;
    if (!again && href !== null) {
      again = Array.prototype.find.call(part.querySelectorAll("a[href]"), function (link) {
        return link.getAttribute("href") === href;
      });
    }
    if (again && part.contains(again)) {
      again.focus();
    }
  }

  function setUp(region, seconds) {
    var url = window.location.href;
    var timer = null;
    var asking = false;
    var stopped = false;

    function stop() {
      stopped = true;
      window.clearTimeout(timer);
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, seconds * 1000);
    }

    function giveUp(why) {
      stop();
      var link = document.createElement("a");
      link.href = url;
      link.textContent = "Check again";
      var words = document.createElement("p");
      words.append(why + " This page has stopped checking. ", link);
      region.replaceChildren(words);
    }

    function show(doc) {
      var fresh = doc.getElementById(region.id);
      if (!fresh) {
        giveUp("The tracker's answer did not show the progress.");
        return;
      }
      Array.prototype.forEach.call(document.querySelectorAll("[data-live-part][id]"), function (part) {
        var freshPart = doc.getElementById(part.id);
        if (freshPart && freshPart.innerHTML !== part.innerHTML) {
          copyKeepingFocus(freshPart, part);
        }
      });
      if (fresh.textContent !== region.textContent) {
        copyChildren(fresh, region);
      }
      if (fresh.hasAttribute("data-live-every")) {
        later();
      } else {
        stop(); // done, failed or stopped: the page now shows what it would show on a fresh visit
        region.removeAttribute("data-live-every");
      }
    }

    function answered(response) {
      if (!response.ok || response.redirected) {
        // An error page, or a redirect (to the sign-in page, say): not the progress any more.
        giveUp(response.ok ? "The tracker sent another page." : "The tracker answered with an error ("
          + response.status + ").");
        return;
      }
      return response.text().then(function (html) {
        show(new DOMParser().parseFromString(html, "text/html"));
      });
    }

    function ask() {
      if (stopped || asking || document.hidden) {
        return; // while the page is hidden it waits; it asks again once the page is shown
      }
      asking = true;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(answered)
        .catch(function () {
          giveUp("The tracker did not answer.");
        })
        .then(function () {
          asking = false;
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !stopped && !asking) {
        ask();
      }
    });
    later();
  }

  function start() {
    var region = document.querySelector("[data-live-every][id]");
    var seconds = region ? Number(region.getAttribute("data-live-every")) : 0;
    if (region && seconds > 0 && window.fetch && window.DOMParser) {
      setUp(region, seconds);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
