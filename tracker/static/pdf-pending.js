/* The "Making the PDF" page: asks the same address again every 3 seconds and updates the status and the
   progress bar in place instead of reloading the page on a timer (WCAG 2.2.1). 202: still being made, copy
   the fresh status and bar; 200 with a PDF: go to it (the browser downloads it) and say so; an error: stop
   and show the error page's words with a "Try again" link. Progressive enhancement: without script the page
   reloads itself (the refresh in its <noscript>) and keeps its "Check now" link.
   An external file because the Content-Security-Policy allows scripts from this site only (no inline). */
(function () {
  "use strict";

  var EVERY_MS = 3000;

  function textOf(doc, selectors) {
    for (var i = 0; i < selectors.length; i += 1) {
      var element = doc.querySelector(selectors[i]);
      var text = element ? element.textContent.replace(/\s+/g, " ").trim() : "";
      if (text) {
        return text;
      }
    }
    return "";
  }

  function setUp(status, bar, check) {
    var url = window.location.href;
    var timer = null;
    var asking = false;
    var stopped = false;

    function say(words, linkText, href) {
      var nodes = [document.createTextNode(words)];
      if (linkText) {
        var link = document.createElement("a");
        link.href = href;
        link.textContent = linkText;
        nodes.push(document.createTextNode(" "), link);
      }
      status.replaceChildren.apply(status, nodes);
    }

    function stop() {
      stopped = true;
      window.clearTimeout(timer);
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, EVERY_MS);
    }

    function showProgress(doc) {
      var fresh = doc.getElementById(status.id);
      // Only a change is copied, so the status region announces news, not the same words every 3 seconds.
      if (fresh && fresh.textContent !== status.textContent) {
        status.replaceChildren.apply(status, Array.prototype.map.call(fresh.childNodes, function (node) {
          return document.importNode(node, true);
        }));
      }
      var freshBar = doc.getElementById(bar.id);
      if (freshBar) {
        ["max", "value"].forEach(function (name) {
          if (freshBar.hasAttribute(name)) {
            bar.setAttribute(name, freshBar.getAttribute(name));
          } else {
            bar.removeAttribute(name);
          }
        });
        bar.textContent = freshBar.textContent;
      }
    }

    function failed(doc, code) {
      stop();
      var title = doc ? textOf(doc, ["main h1", "h1"]) : "";
      var message = doc ? textOf(doc, ["main h1 + p", "main p", "p"]) : "";
      var words = title && message ? title + ": " + message : title || message;
      say((words || "The PDF could not be made (error " + code + ").") + " The page has stopped checking.",
        "Try again", check.href);
      bar.closest("p").hidden = true;
    }

    function answered(response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 200 && type.indexOf("application/pdf") === 0) {
        stop();
        if (response.body) {
          response.body.cancel(); // the bytes come with the download, not here
        }
        bar.setAttribute("max", bar.getAttribute("max") || "1");
        bar.setAttribute("value", bar.getAttribute("max"));
        say("The PDF is ready and the download has started. If it has not,", "download the PDF", url);
        window.location.assign(url);
        return;
      }
      if (response.status === 200) {
        stop(); // not the PDF (a sign-in page after a redirect, say): let the browser show it
        window.location.assign(response.redirected ? response.url : url);
        return;
      }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (response.status === 202) {
          showProgress(doc);
          later();
        } else {
          failed(doc, response.status);
        }
      });
    }

    function ask() {
      if (stopped || asking) {
        return;
      }
      if (document.hidden) {
        return; // paused while the page is hidden; asks again once it is shown
      }
      asking = true;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
        .then(answered)
        .catch(function () {
          stop();
          say("The tracker did not answer, so the page has stopped checking.", "Try again", check.href);
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
    var status = document.getElementById("pdf-status");
    var bar = document.getElementById("pdf-progress");
    var check = document.getElementById("pdf-check");
    if (status && bar && check && window.fetch && window.DOMParser) {
      setUp(status, bar, check);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
