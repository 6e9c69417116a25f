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

  /* The colour palette toggle (overrides/partials/palette.html). It does what the
     theme's does: the stored choice, "follow the system" resolved through a media
     query, the one visible toggle, Enter for the next palette, the theme-color and
     color-scheme meta tags. But it writes an attribute only when the value changes:
     on a page load with the light palette, no style sees a change but one label's. The
     theme's inline script in <body> has already applied a stored palette. */
  function mountPalette(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input.md-option"));
    var light = matchMedia("(prefers-color-scheme: light)");
    var stored = __md_get("__palette");
    var index = stored && typeof stored.index === "number" ? stored.index : inputs.findIndex(function (input) {
      return matchMedia(input.getAttribute("data-md-color-media")).matches;
    });
    index = Math.max(0, Math.min(index, inputs.length - 1));

    function colors(input) {
      var color = {};
      ["media", "scheme", "primary", "accent"].forEach(function (key) {
        color[key] = input.getAttribute("data-md-color-" + key);
      });
      return color;
    }

    function apply() {
      var color = colors(inputs[index]);
      if (color.media === "(prefers-color-scheme)") {
        var system = colors(form.querySelector(light.matches
          ? "[data-md-color-media='(prefers-color-scheme: light)']"
          : "[data-md-color-media='(prefers-color-scheme: dark)']"));
        color.scheme = system.scheme;
        color.primary = system.primary;
        color.accent = system.accent;
      }
      var body = document.body;
      // No style reads data-md-color-media, so writing it restyles nothing
      if (body.getAttribute("data-md-color-media") !== color.media) body.setAttribute("data-md-color-media", color.media);
      var changes = ["scheme", "primary", "accent"].filter(function (key) {
        return body.getAttribute("data-md-color-" + key) !== color[key];
      });
      if (changes.length) {
        // No colour transitions while the palette changes (the theme's palette.css)
        body.setAttribute("data-md-color-switching", "");
        changes.forEach(function (key) { body.setAttribute("data-md-color-" + key, color[key]); });
        setTimeout(function () { body.removeAttribute("data-md-color-switching"); });
      }
      inputs.forEach(function (input, i) {
        var label = input.nextElementSibling;
        var hide = i !== index;
        if (label instanceof HTMLLabelElement && label.hidden !== hide) label.hidden = hide;
      });
      __md_set("__palette", { index: index, color: color });
      setTimeout(syncMeta);
    }

    /* Browser chrome follows the header colour; the root's scrollbars follow the
       scheme. Read a task later, once the page is styled; a color-scheme meta tag
       restyles the whole page, so it is only written when it differs. */
    function syncMeta() {
      var style = getComputedStyle(document.querySelector("[data-md-component=header]"));
      var hex = "#" + style.backgroundColor.match(/\d+/g).slice(0, 3).map(function (value) {
        return (+value).toString(16).padStart(2, "0");
      }).join("");
      meta("theme-color", hex);
      // Without the tag the page is light, as it is with "light" or "normal"
      var wanted = style.colorScheme === "normal" ? "light" : style.colorScheme;
      var scheme = document.querySelector("meta[name=color-scheme]");
      if ((scheme ? scheme.content : "light") !== wanted) meta("color-scheme", wanted);
    }

    function meta(name, content) {
      var tag = document.querySelector("meta[name=" + name + "]");
      if (!tag) {
        tag = document.createElement("meta");
        tag.name = name;
        document.head.appendChild(tag);
      }
      if (tag.content !== content) tag.content = content;
    }

    inputs.forEach(function (input, i) {
      input.addEventListener("change", function () { index = i; apply(); });
    });
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      var next = inputs[(index + 1) % inputs.length];
      next.click();
      next.focus();
    });
    light.addEventListener("change", apply);
    apply();
  }

  var palette = document.querySelector("form[data-hb-palette]");
  if (palette) mountPalette(palette);

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
