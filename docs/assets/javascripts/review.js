/* The review page: the questions marked 再复习, copied from the page's <template> of every
   question (overrides/review.html), the site-wide progress, and clearing all marks. */

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
  }

  if (!window.HandbookReview) {
    window.HandbookReview = true;
    S.onChange(refresh);
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
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
