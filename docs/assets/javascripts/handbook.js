/* Handbook behaviour on top of Material for MkDocs. Runs on every page, including pages
   reached by instant navigation. */

(function () {
  "use strict";

  /* Material wraps each code block's buttons in an unlabelled <nav>: one landmark per
     code block, all with the same empty name (axe-core: landmark-unique). The buttons
     are not a navigation region; "none" is the one neutral role a <nav> may take.
     A table or code block wider than a phone scrolls sideways, and a scroll region must
     be reachable by keyboard (axe-core: scrollable-region-focusable). */
  function fixUp() {
    document.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex]), pre > code:not([tabindex])")
      .forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }

  /* Material builds these elements after load and on every instant navigation. Batch
     the fix-up into one frame: writing attributes between Material's layout reads
     would force a layout per code block. */
  var scheduled = false;
  new MutationObserver(function () {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; fixUp(); });
  }).observe(document.body, { childList: true, subtree: true });
  fixUp();
})();
