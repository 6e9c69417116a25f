/* Handbook behaviour on top of Material for MkDocs. Runs on every page, including pages
   reached by instant navigation (Material's document$ emits on each of them). */

(function () {
  "use strict";

  /* Material wraps each code block's buttons in an unlabelled <nav>: one landmark per
     code block, all with the same empty name (axe-core: landmark-unique). The buttons
     are not a navigation region; "none" is the one neutral role a <nav> may take. */
  function demoteCodeNavs(root) {
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  /* A table or code block wider than a phone scrolls sideways; a scroll region must be
     reachable by keyboard (axe-core: scrollable-region-focusable) */
  function focusableScrollers(root) {
    root.querySelectorAll(".md-typeset__scrollwrap:not([tabindex]), pre > code:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          demoteCodeNavs(node.parentNode || node);
          focusableScrollers(node.parentNode || node);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  demoteCodeNavs(document);
  focusableScrollers(document);
})();
