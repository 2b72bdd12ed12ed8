/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var toast = document.getElementById("toast");
  var toastTimer = null;

  function say(message) {
    if (!toast) return;
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 2400);
  }

  // Clipboard API where available (secure contexts); a hidden textarea otherwise.
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  // The canonical permalink: no ?q= or ?script=, just the report and the paragraph.
  function permalink(id) {
    return location.origin + location.pathname + "#" + id;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.permalink");
    if (link) {
      // Let the browser follow the #anchor (it highlights the paragraph); copy as well.
      copy(permalink(link.getAttribute("href").slice(1))).then(
        function () { say("已复制本段链接"); },
        function () { say("无法自动复制，请从地址栏复制链接"); }
      );
      return;
    }
    var cite = event.target.closest("button.cite");
    if (cite) {
      copy(cite.getAttribute("data-cite")).then(
        function () { say("已复制引用信息"); },
        function () { say("无法自动复制"); }
      );
    }
  });

  document.querySelectorAll("button.cite[hidden]").forEach(function (button) {
    button.hidden = false;
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    });
  });

  // Suggestions for the search box from /api/suggest, offered through its <datalist>.
  var box = document.querySelector("input[data-suggest]");
  var list = document.getElementById("suggestions");
  if (box && list && window.fetch) {
    var pending = null;
    var lastAsked = "";
    box.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        var typed = box.value.trim();
        if (!typed || typed === lastAsked || typed.length > 64) return;
        lastAsked = typed;
        fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed))
          .then(function (r) { return r.ok ? r.json() : ["", []]; })
          .then(function (data) {
            if (box.value.trim() !== data[0]) return;  // an older answer
            list.textContent = "";
            data[1].forEach(function (text) {
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 150);
    });
  }

  // A link to a paragraph id this report never had lands at the top, with a notice.
  var missing = document.getElementById("anchor-missing");
  function checkAnchor() {
    if (!missing) return;
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); }
    var lost = id !== "" && !document.getElementById(id);
    missing.hidden = !lost;
    if (lost) window.scrollTo(0, 0);
  }
  checkAnchor();
  window.addEventListener("hashchange", checkAnchor);

  // On a phone the table of contents starts folded, unless the reader arrived at a
  // paragraph (folding then would move the text they were sent to).
  if (!location.hash && window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
      details.open = false;
    });
  }
  // Long facet lists (regions, reports): a filter box over all their values, "more" included.
  document.querySelectorAll("input[data-facet-filter]").forEach(function (input) {
    var facet = input.closest(".facet");
    var more = facet.querySelector("details.facet-more");
    input.parentNode.hidden = false;
    input.addEventListener("input", function () {
      var typed = input.value.trim().toLowerCase();
      if (more && typed) more.open = true;
      facet.querySelectorAll("li").forEach(function (item) {
        var link = item.querySelector("a");
        var label = link.querySelector(".facet-label").textContent.toLowerCase();
        var match = link.getAttribute("data-match") || "";  // normalized: Simplified, folded
        item.hidden = typed !== "" && label.indexOf(typed) === -1 && match.indexOf(typed) === -1;
      });
    });
  });

  // Find in this report: previous/next over the server's numbered marks, and the position.
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark.find"));
  var findNav = document.querySelector(".find-nav");
  if (marks.length && findNav) {
    var position = findNav.querySelector(".find-position");
    var current = -1;
    var goTo = function (index) {
      if (current >= 0) marks[current].classList.remove("current");
      current = (index + marks.length) % marks.length;
      var target = marks[current];
      target.classList.add("current");
      target.scrollIntoView({block: "center"});
      position.textContent = "第 " + (current + 1) + " / " + marks.length + " 处";
      if (history.replaceState) history.replaceState(null, "", "#" + target.id);
    };
    findNav.hidden = false;
    findNav.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-find-step]");
      if (button) goTo(current + parseInt(button.getAttribute("data-find-step"), 10));
    });
    var start = marks.findIndex(function (m) { return "#" + m.id === location.hash; });
    goTo(start >= 0 ? start : 0);
  }

  // The table of contents marks the section being read: the last heading above the reading
  // line, a little below the top (where a linked paragraph lands).
  var READING_LINE = 96;
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a[href^='#']"));
  var headings = tocLinks.map(function (a) {
    return document.getElementById(a.getAttribute("href").slice(1));
  });
  if (tocLinks.length && "IntersectionObserver" in window) {
    var spy = function () {
      var line = READING_LINE, active = -1;
      headings.forEach(function (h, i) {
        if (h && h.getBoundingClientRect().top <= line) active = i;
      });
      tocLinks.forEach(function (a, i) {
        if (i === active) { a.setAttribute("aria-current", "location"); }
        else { a.removeAttribute("aria-current"); }
      });
    };
    // Called whenever a heading crosses the reading line near the top of the window.
    var observer = new IntersectionObserver(spy, {
      rootMargin: "-" + READING_LINE + "px 0px " + (READING_LINE - window.innerHeight) + "px 0px"
    });
    headings.forEach(function (h) { if (h) observer.observe(h); });
    window.addEventListener("hashchange", spy);
    spy();
  }
})();
