/* Study mode on pages with questions (and the print page): reveal-all, progress, copy
   link and the keyboard shortcuts J/K/O/1/2. The controls are in the HTML
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
    var reveal = document.querySelector(".study-reveal");
    if (reveal) {
      reveal.setAttribute("aria-pressed", state.revealAll ? "true" : "false");
      reveal.textContent = state.revealAll ? L.hideAll : L.revealAll;
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

  function currentIndex(list) {
    var index = 0;
    list.forEach(function (h, i) { if (h.getBoundingClientRect().top <= 120) index = i; });
    return index;
  }

  function goTo(heading) {
    heading.scrollIntoView({ block: "start" });
    history.replaceState(history.state, "", "#" + heading.id);
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  if (!window.HandbookStudyBar) {
    window.HandbookStudyBar = true;
    S.onChange(refresh);

    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !headings().length) return;
      if (target.matches(".study-reveal")) {
        var state = S.load();
        state.revealAll = !state.revealAll;
        setAllAnswers(state.revealAll);
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
        var next = key === "j" ? Math.min(index + (list[index].getBoundingClientRect().top > 120 ? 0 : 1), list.length - 1)
                               : Math.max(index - 1, 0);
        goTo(list[next]);
        event.preventDefault();
      } else if (key === "o") {
        var details = list[index].parentNode.querySelector("#" + list[index].id + " ~ details.answer");
        if (details) details.open = !details.open;
        event.preventDefault();
      } else if (key === "1" || key === "2") {
        S.setMark(list[index].id, key === "1" ? "known" : "review");
      }
    });
  }

  if (headings().length && S.load().revealAll) setAllAnswers(true);
  S.refreshMarks();
  refresh();
})();
