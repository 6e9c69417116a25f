/* Study mode's shared part: the reader's marks in localStorage, the labels, the mark
   buttons, the shortcut help and announcements. Loaded on every page, in <head>, before
   the page-type scripts that use it: study-bar.js (pages with questions), drill.js,
   calculation-drills.js and review.js. Classic scripts, not modules, so they load from file:// too.

   Everything stays in this browser; nothing is sent anywhere. Labels come from
   `extra.study` in mkdocs.yml, rendered into #__study by overrides/main.html. */

(function () {
  "use strict";
  if (window.HandbookStudy) return;

  var island = document.getElementById("__study");
  var config = island ? JSON.parse(island.textContent) : { labels: {}, ids: [], shortcuts: [] };
  var STORE = "dl-handbook:study";
  var listeners = [];

  function load() {
    try {
      var state = JSON.parse(localStorage.getItem(STORE) || "{}");
      // Reveal-all is kept per page: opening every answer to read one topic must not spoil
      // self-testing on the next (an older boolean `revealAll` is ignored)
      return { marks: state.marks || {}, revealed: state.revealed || {} };
    } catch (e) {
      return { marks: {}, revealed: {} };
    }
  }

  function save(state) {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode: session only */ }
    changed();
  }

  /* Marking a question the way it is marked already removes the mark */
  function setMark(qid, mark) {
    var state = load();
    if (state.marks[qid] === mark) delete state.marks[qid]; else state.marks[qid] = mark;
    save(state);
  }

  function counts(ids, state) {
    var known = 0, review = 0;
    ids.forEach(function (id) {
      if (state.marks[id] === "known") known += 1;
      if (state.marks[id] === "review") review += 1;
    });
    return { known: known, review: review };
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function siteProgress(state) {
    var site = counts(config.ids, state);
    return format(config.labels.siteProgress, { known: site.known, review: site.review, total: config.ids.length });
  }

  function refreshMarks() {
    var state = load();
    document.querySelectorAll(".study-mark").forEach(function (button) {
      var on = state.marks[button.getAttribute("data-qid")] === button.getAttribute("data-mark");
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    refreshProgress(state);
  }

  /* Progress wherever a page lists questions it does not hold (the home page's topics):
     shown only once the reader has marked something, so a new reader sees no zeros */
  function refreshProgress(state) {
    var any = Object.keys(state.marks).length > 0;
    document.querySelectorAll("[data-progress-ids]").forEach(function (element) {
      var ids = element.getAttribute("data-progress-ids").split(" ");
      var here = counts(ids, state);
      element.textContent = format(config.labels.topicProgress, { known: here.known, total: ids.length });
      element.hidden = !any;
    });
    document.querySelectorAll(".home-progress").forEach(function (element) {
      element.querySelector(".study-progress").textContent = siteProgress(state);
      element.hidden = !any;
    });
  }

  /* The calculation drills' results per kind: attempts, correct, current and best streak.
     A kind's first check of a problem counts; showing the solution first counts as a miss. */
  var CALC = "dl-handbook:calc";

  function calcStats() {
    try { return JSON.parse(localStorage.getItem(CALC) || "{}") || {}; } catch (e) { return {}; }
  }

  function saveCalc(stats) {
    try { localStorage.setItem(CALC, JSON.stringify(stats)); } catch (e) { /* private mode: session only */ }
    changed();
  }

  function recordCalc(kind, correct) {
    var stats = calcStats();
    var entry = stats[kind] || { n: 0, ok: 0, streak: 0, best: 0 };
    entry.n += 1;
    entry.ok += correct ? 1 : 0;
    entry.streak = correct ? entry.streak + 1 : 0;
    entry.best = Math.max(entry.best, entry.streak);
    stats[kind] = entry;
    saveCalc(stats);
  }

  /* Page scripts register what to redraw when the marks change (in this tab or another) */
  function onChange(listener) { listeners.push(listener); }
  function changed() {
    refreshMarks();
    listeners.forEach(function (listener) { listener(); });
  }

  var live;
  function announce(message) {
    if (!live || !live.isConnected) {
      live = document.createElement("div");
      live.className = "study-live";
      live.setAttribute("aria-live", "polite");
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 50);
  }

  /* A key typed into a field, with a modifier, or while a dialog is open is not a shortcut */
  function ignoreKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return true;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return true;
    return !!document.querySelector("dialog[open]");
  }

  function openHelp() {
    var dialog = document.getElementById("study-help");
    if (dialog) dialog.showModal();
    return !!dialog;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) return;
    if (target.matches(".study-mark")) setMark(target.getAttribute("data-qid"), target.getAttribute("data-mark"));
    else if (target.matches(".study-help-open")) openHelp();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "?" && !ignoreKey(event) && openHelp()) event.preventDefault();
  });

  window.addEventListener("storage", function (event) { if (event.key === STORE || event.key === CALC) changed(); });
  /* The answer block under a question heading (the study bar sits between them) */
  function answerOf(heading) {
    for (var el = heading && heading.nextElementSibling; el && !el.matches("h2.question"); el = el.nextElementSibling) {
      if (el.matches("details.answer")) return el;
    }
    return null;
  }

  /* Back from a notebook. A link from an answer to a notebook leaves a note in this tab
     (sessionStorage): the notebook page then offers a chip back to the question, and the
     question's page opens that answer again when the reader returns (by the chip or by
     the browser's back button), instead of showing every answer collapsed. */
  var RETURN = "dl-handbook:return";

  function readReturn() {
    try { return JSON.parse(sessionStorage.getItem(RETURN) || "null"); } catch (e) { return null; }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("details.answer a[href]");
    if (!link || !/\/notebooks\//.test(link.pathname)) return;
    var heading = link.closest("details.answer").previousElementSibling;
    while (heading && !heading.matches("h2.question")) heading = heading.previousElementSibling;
    if (!heading) return;
    try {
      sessionStorage.setItem(RETURN, JSON.stringify({
        page: location.pathname, qid: heading.id, id: heading.id.toUpperCase(), notebook: link.pathname
      }));
    } catch (e) { /* storage off: no way back offered */ }
  });

  function offerReturn() {
    var note = readReturn();
    var chip = document.querySelector(".study-return");
    if (chip) chip.remove();
    if (!note) return;
    if (location.pathname === note.notebook) {
      chip = document.createElement("a");
      chip.className = "study-return md-button md-button--primary";
      chip.href = note.page + "#" + note.qid;
      chip.textContent = format(config.labels.returnTo, { id: note.id });
      // Inside the article: the theme styles buttons there, and swaps it out on the next page
      (document.querySelector("article.md-typeset") || document.body).appendChild(chip);
    } else if (location.pathname === note.page) {
      var details = answerOf(document.getElementById(note.qid));
      if (details) details.open = true;
      sessionStorage.removeItem(RETURN);
    }
  }

  // This script runs in <head>, before the theme's bundle; the theme then swaps pages in
  // without reloading it (instant navigation) and says so on document$
  document.addEventListener("DOMContentLoaded", function () {
    function mounted() { refreshProgress(load()); offerReturn(); }
    if (window.document$) window.document$.subscribe(mounted);
    else mounted();
  });

  window.HandbookStudy = {
    config: config, labels: config.labels, load: load, save: save, setMark: setMark, counts: counts,
    format: format, siteProgress: siteProgress, refreshMarks: refreshMarks, onChange: onChange, answerOf: answerOf,
    announce: announce, ignoreKey: ignoreKey, calcStats: calcStats, saveCalc: saveCalc, recordCalc: recordCalc
  };
})();
