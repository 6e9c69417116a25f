/* Handbook fixes on top of Material for MkDocs. Runs on every page, including pages
   reached by instant navigation. */

(function () {
  "use strict";

  /* Material wraps each code block's buttons in an unlabelled <nav>: one landmark per
     code block, all with the same empty name (axe-core: landmark-unique). The buttons
     are not a navigation region; "none" is the one neutral role a <nav> may take.
     Material also wraps wide tables in a scroll container, and a scroll region must be
     reachable by keyboard (axe-core: scrollable-region-focusable). Code blocks get
     their tabindex in the HTML already. */
  function fixUp() {
    document.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex]), pre > code:not([tabindex])")
      .forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }

  /* Material builds those elements when a page is mounted; one pass in the next frame,
     after its own work, writes all attributes at once */
  if (window.document$) {
    window.document$.subscribe(function () { requestAnimationFrame(fixUp); });
  } else {
    document.addEventListener("DOMContentLoaded", fixUp);
  }
})();
