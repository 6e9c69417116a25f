/* The review page: the questions marked 再复习, copied from the page's <template> of every
   question (overrides/review.html), the site-wide progress, the calculation drills'
   results per kind, and clearing marks or results. */

(function () {
  "use strict";
  var S = window.HandbookStudy;
  var L = S.labels;

  function refresh() {
    var root = document.getElementById("study-review");
    if (!root) return;
    var state = S.load();
    var items = root.querySelector("template.study-review-items").content.children;
    var marked = Array.prototype.filter.call(items, function (item) {
      return state.marks[item.getAttribute("data-qid")] === "review";
    });
    root.querySelector(".study-review-list").replaceChildren.apply(
      root.querySelector(".study-review-list"), marked.map(function (item) { return item.cloneNode(true); }));
    root.querySelector(".study-review-list").hidden = !marked.length;
    root.querySelector(".study-review-empty").hidden = marked.length > 0;
    root.querySelector(".study-progress").textContent = S.siteProgress(state);
    refreshCalc();
  }

  /* The calculation drills: a row per kind the reader has tried, in the drill page's order */
  function refreshCalc() {
    var root = document.getElementById("calc-progress");
    if (!root) return;
    var stats = S.calcStats(), any = false;
    root.querySelectorAll("tr[data-kind]").forEach(function (row) {
      var entry = stats[row.getAttribute("data-kind")];
      row.hidden = !entry || !entry.n;
      if (row.hidden) return;
      any = true;
      var cells = row.querySelectorAll("td");
      cells[0].textContent = entry.n;
      cells[1].textContent = Math.round(100 * entry.ok / entry.n) + "%";
      cells[2].textContent = entry.streak;
      cells[3].textContent = entry.best;
    });
    root.querySelector("table").hidden = !any;
    root.querySelector(".calc-clear").hidden = !any;
    root.querySelector(".calc-progress-empty").hidden = any;
  }

  if (!window.HandbookReview) {
    window.HandbookReview = true;
    S.onChange(refresh);
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (target && target.matches(".calc-clear") && window.confirm(target.getAttribute("data-confirm"))) {
        S.saveCalc({});
        S.announce(target.getAttribute("data-done"));
        return;
      }
      if (!target || !target.matches(".study-clear") || !document.getElementById("study-review")) return;
      if (window.confirm(L.confirmClear)) {
        var state = S.load();
        state.marks = {};
        S.save(state);
        S.announce(L.cleared);
      }
    });
  }

  refresh();
})();
