/* Handbook fixes on top of Material for MkDocs. Runs on every page, including pages
   reached by instant navigation. */

(function () {
  "use strict";

  /* The theme mounts a page when document$ emits (on DOMContentLoaded, and after each
     instant navigation), measuring every code block as it goes. Until it is done, the
     bodies of closed answers are not rendered (handbook.css), so those measurements
     are free. The class goes on the <details> elements, not on <html>: changing a class
     on the root would restyle the whole page twice. This script is deferred, so it
     runs before DOMContentLoaded, in time for the first mount; for instant navigation
     the theme swaps the page in before it mounts, so that mount pays the layout. */
  function hideClosedAnswers() {
    var closed = document.querySelectorAll("article details:not([open])");
    closed.forEach(function (details) { details.classList.add("hb-mounting"); });
    return closed;
  }

  function showClosedAnswers(closed) {
    closed.forEach(function (details) { details.classList.remove("hb-mounting"); });
  }

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

  var closed = hideClosedAnswers();

  /* Material builds those elements when a page is mounted; one pass in the next frame,
     after its own work, writes all attributes at once. The theme's resize observers
     report their first sizes after that frame's animation callbacks, so the answers
     come back in a task after it. */
  function afterMount() {
    requestAnimationFrame(function () {
      fixUp();
      var shown = closed;
      closed = [];
      setTimeout(function () { showClosedAnswers(shown); });
    });
  }

  if (window.document$) {
    window.document$.subscribe(afterMount);
  } else {
    document.addEventListener("DOMContentLoaded", afterMount);
  }
})();
