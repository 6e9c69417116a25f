/* Study mode on pages with questions (and the print page): reveal-all (per page),
   progress, copy link and the keyboard shortcuts J/K/O/1/2. The controls are in the HTML
   (hooks/study_bar.py, hooks/page_tools.py); this only gives them their state.

   The theme's instant navigation runs this script again on every page it swaps in: the
   handlers are bound once, and each run sets up the page that is now shown. */

(function () {
  "use strict";
  var S = window.HandbookStudy;
  var L = S.labels;

  function headings() {
    return Array.prototype.slice.call(document.querySelectorAll("article h2.question"));
  }

  function setAllAnswers(open) {
    document.querySelectorAll("article details.answer").forEach(function (d) { d.open = open; });
  }

  function refresh() {
    var questions = headings();
    if (!questions.length) return;
    var state = S.load();
    var revealed = !!state.revealed[pageKey()];
    var reveal = document.querySelector(".study-reveal");
    if (reveal) {
      reveal.setAttribute("aria-pressed", revealed ? "true" : "false");
      reveal.textContent = revealed ? L.hideAll : L.revealAll;
    }
    var pageProgress = document.querySelector('.study-page .study-progress[data-scope="page"]');
    if (pageProgress) {
      var ids = questions.map(function (h) { return h.id; });
      var here = S.counts(ids, state);
      pageProgress.textContent = S.format(L.pageProgress, { known: here.known, review: here.review, total: ids.length });
    }
    var siteProgress = document.querySelector('.study-page .study-progress[data-scope="site"]');
    if (siteProgress) siteProgress.textContent = S.siteProgress(state);
  }

  function pageKey() { return location.pathname; }

  /* The current question is state, not read back from the scroll position: a page whose
     content does not scroll, or a heading parked under the sticky header, must not pin
     J/K or send 1/2/O to another question. It is set by J/K, by a link to a question and
     by a click or focus inside one; -1 means "none yet". */
  var current = { page: null, index: -1 };

  function currentIndex(list) {
    if (current.page !== pageKey()) current = { page: pageKey(), index: -1 };
    return current.index < list.length ? current.index : -1;
  }

  function setCurrent(index) { current = { page: pageKey(), index: index }; }

  /* Where J/K start before any question is current: the first question below the header
     (J) or the last one above it (K) */
  function headerBottom() {
    var header = document.querySelector(".md-header");
    return header ? header.getBoundingClientRect().bottom : 0;
  }
  function firstBelow(list) {
    var line = headerBottom() + 1;
    for (var i = 0; i < list.length; i++) if (list[i].getBoundingClientRect().top >= line) return i;
    return list.length - 1;
  }

  /* 1/2/O with no current question act on the one being read: the last whose heading has
     passed under the header, or the first */
  function inView(list) {
    var line = headerBottom() + 8, index = 0;
    list.forEach(function (h, i) { if (h.getBoundingClientRect().top <= line) index = i; });
    return index;
  }

  function goTo(list, index) {
    var heading = list[index];
    setCurrent(index);
    heading.scrollIntoView({ block: "start" });
    history.replaceState(history.state, "", "#" + heading.id);
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  function questionAround(node) {
    var list = headings();
    for (var i = list.length - 1; i >= 0; i--) {
      var h = list[i];
      if (h === node || h.contains(node) ||
          (h.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)) return i;
    }
    return -1;
  }

  function followHash() {
    var list = headings();
    var id = decodeURIComponent(location.hash.slice(1));
    for (var i = 0; i < list.length; i++) if (list[i].id === id) { setCurrent(i); return; }
  }

  if (!window.HandbookStudyBar) {
    window.HandbookStudyBar = true;
    S.onChange(refresh);

    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !headings().length) return;
      if (target.matches(".study-reveal")) {
        var state = S.load();
        var key = pageKey();
        if (state.revealed[key]) delete state.revealed[key]; else state.revealed[key] = true;
        setAllAnswers(!!state.revealed[key]);
        S.save(state);
      } else if (target.matches(".study-copy")) {
        var link = location.href.split("#")[0] + "#" + target.getAttribute("data-qid");
        (navigator.clipboard ? navigator.clipboard.writeText(link) : Promise.reject()).then(
          function () { S.announce(L.copied); },
          function () { window.prompt(L.copyLink, link); });
      }
    });

    document.addEventListener("keydown", function (event) {
      if (S.ignoreKey(event)) return;
      var list = headings();
      if (!list.length) return;
      var key = event.key;
      var index = currentIndex(list);
      if (key === "j" || key === "k") {
        var next;
        if (index < 0) next = key === "j" ? firstBelow(list) : Math.max(firstBelow(list) - 1, 0);
        else next = key === "j" ? Math.min(index + 1, list.length - 1) : Math.max(index - 1, 0);
        goTo(list, next);
        event.preventDefault();
        return;
      }
      if (index < 0) index = inView(list);
      if (key === "o") {
        var details = S.answerOf(list[index]);
        if (details) details.open = !details.open;
        event.preventDefault();
      } else if (key === "1" || key === "2") {
        S.setMark(list[index].id, key === "1" ? "known" : "review");
      }
    });

    /* A click or focus inside a question makes it current (marks, links, the answer) */
    ["click", "focusin"].forEach(function (type) {
      document.addEventListener(type, function (event) {
        var article = event.target.closest && event.target.closest("article");
        if (!article) return;
        var index = questionAround(event.target);
        if (index >= 0) setCurrent(index);
      });
    });
    window.addEventListener("hashchange", followHash);
  }

  followHash();
  if (headings().length && S.load().revealed[pageKey()]) setAllAnswers(true);
  S.refreshMarks();
  refresh();
})();
