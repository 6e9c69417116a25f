/* Study mode: marks, progress, reveal-all, keyboard shortcuts, drill and review pages.

   Everything stays in this browser (localStorage); nothing is sent anywhere. Labels come
   from `extra.study.labels` in mkdocs.yml (rendered into #__study by overrides/main.html),
   so a new language is a translation of that block, not a change here. Works with
   Material's instant navigation: setup runs on every emission of document$. */

(function () {
  "use strict";

  var island = document.getElementById("__study");
  if (!island) return;
  var config = JSON.parse(island.textContent);
  var L = config.labels;
  var siteBase = new URL(JSON.parse(document.getElementById("__config").textContent).base, location.href);
  var STORE = "dl-handbook:study";

  /* State ------------------------------------------------------------------------- */

  function load() {
    try {
      var state = JSON.parse(localStorage.getItem(STORE) || "{}");
      return { marks: state.marks || {}, revealAll: !!state.revealAll };
    } catch (e) {
      return { marks: {}, revealAll: false };
    }
  }

  function save(state) {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode: session only */ }
  }

  function setMark(qid, mark) {
    var state = load();
    if (state.marks[qid] === mark) delete state.marks[qid]; else state.marks[qid] = mark;
    save(state);
    refresh();
  }

  var questionsPromise = null;
  function questions() {
    if (!questionsPromise) {
      questionsPromise = fetch(new URL(config.questions, siteBase)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return questionsPromise;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  var live;
  function announce(message) {
    if (!live) {
      live = el("div", { class: "study-live", "aria-live": "polite", role: "status" });
      document.body.appendChild(live);
    }
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 50);
  }

  /* Question pages ---------------------------------------------------------------- */

  function pageQuestions() {
    return Array.prototype.slice.call(document.querySelectorAll("article h2.question"));
  }

  /* Marks for the drill card (question pages have them in the HTML) */
  function markButtons(qid) {
    return el("div", { class: "study-marks", role: "group", "aria-label": format(L.marksFor, { id: qid.toUpperCase() }) }, [
      el("button", { type: "button", class: "study-mark", "data-mark": "known", "data-qid": qid, "aria-pressed": "false", text: L.known }),
      el("button", { type: "button", class: "study-mark", "data-mark": "review", "data-qid": qid, "aria-pressed": "false", text: L.review })
    ]);
  }

  /* The controls themselves are in the HTML (overrides/hooks/study_controls.py), so
     the page does not shift when this script runs; here they only get their state. */
  function setupQuestionPage() {
    if (load().revealAll) setAllAnswers(true);
  }

  function setAllAnswers(open) {
    document.querySelectorAll("article details.answer").forEach(function (d) { d.open = open; });
  }

  function refresh() {
    var state = load();
    document.querySelectorAll(".study-mark").forEach(function (button) {
      var on = state.marks[button.getAttribute("data-qid")] === button.getAttribute("data-mark");
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var reveal = document.querySelector(".study-reveal");
    if (reveal) {
      reveal.setAttribute("aria-pressed", state.revealAll ? "true" : "false");
      reveal.textContent = state.revealAll ? L.hideAll : L.revealAll;
    }
    var pageProgress = document.querySelector('.study-page .study-progress[data-scope="page"]');
    if (pageProgress) {
      var ids = pageQuestions().map(function (h) { return h.id; });
      var page = counts(ids, state);
      pageProgress.textContent = format(L.pageProgress, { known: page.known, review: page.review, total: ids.length });
    }
    var siteProgress = document.querySelector('.study-page .study-progress[data-scope="site"]');
    if (siteProgress) {
      questions().then(function (all) {
        var site = counts(all.map(function (q) { return q.id.toLowerCase(); }), load());
        siteProgress.textContent = format(L.siteProgress, { known: site.known, review: site.review, total: all.length });
      }).catch(function () { /* offline from file:// without the JSON: the count stays as built */ });
    }
    if (document.getElementById("study-review")) renderReview();
  }

  function counts(ids, state) {
    var known = 0, review = 0;
    ids.forEach(function (id) {
      if (state.marks[id] === "known") known += 1;
      if (state.marks[id] === "review") review += 1;
    });
    return { known: known, review: review };
  }

  function currentIndex(headings) {
    var index = 0;
    headings.forEach(function (h, i) { if (h.getBoundingClientRect().top <= 120) index = i; });
    return index;
  }

  function goTo(heading) {
    heading.scrollIntoView({ block: "start" });
    history.replaceState(history.state, "", "#" + heading.id);
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  /* Help dialog ------------------------------------------------------------------- */

  function helpDialog() {
    var dialog = document.getElementById("study-help");
    if (dialog) return dialog;
    var rows = config.shortcuts.map(function (s) {
      return el("tr", {}, [el("td", {}, [el("kbd", { text: s.key })]), el("td", { text: s.action })]);
    });
    dialog = el("dialog", { id: "study-help", class: "study-help", "aria-labelledby": "study-help-title" }, [
      el("h2", { id: "study-help-title", text: L.shortcuts }),
      el("table", {}, [el("tbody", {}, rows)]),
      el("form", { method: "dialog" }, [el("button", { type: "submit", class: "md-button", text: L.close })])
    ]);
    document.body.appendChild(dialog);
    return dialog;
  }

  /* Review page -------------------------------------------------------------------- */

  function renderReview() {
    var root = document.getElementById("study-review");
    questions().then(function (all) {
      var state = load();
      var marked = all.filter(function (q) { return state.marks[q.id.toLowerCase()] === "review"; });
      var site = counts(all.map(function (q) { return q.id.toLowerCase(); }), state);
      var list = marked.length
        ? el("ul", { class: "study-review-list" }, marked.map(function (q) {
            return el("li", {}, [el("a", { href: new URL(q.url, siteBase).href, text: q.id + " · " + q.title })]);
          }))
        : el("p", { text: L.reviewEmpty });
      root.replaceChildren(
        el("p", { class: "study-progress", text: format(L.siteProgress, { known: site.known, review: site.review, total: all.length }) }),
        list,
        el("button", { type: "button", class: "study-clear md-button", text: L.clear })
      );
    });
  }

  /* Drill page --------------------------------------------------------------------- */

  var drill = null;

  function setupDrill(root) {
    questions().then(function (all) {
      var topics = [];
      all.forEach(function (q) { if (topics.indexOf(q.topic) < 0) topics.push(q.topic); });
      var boxes = topics.map(function (topic, i) {
        return el("label", { class: "study-topic" }, [
          el("input", { type: "checkbox", name: "topic", value: topic, checked: "" }), document.createTextNode(" " + topic)
        ]);
      });
      var controls = el("form", { class: "study-drill-controls", "aria-label": L.drillOptions }, [
        el("fieldset", {}, [el("legend", { text: L.topics })].concat(boxes)),
        el("label", {}, [el("input", { type: "checkbox", name: "only-review" }), document.createTextNode(" " + L.onlyReview)])
      ]);
      var card = el("div", { class: "study-card", "aria-live": "polite" });
      root.replaceChildren(controls, card);
      drill = { all: all, card: card, controls: controls, current: null, last: null };
      controls.addEventListener("change", nextQuestion);
      nextQuestion();
    });
  }

  function drillPool() {
    var chosen = Array.prototype.map.call(drill.controls.querySelectorAll("input[name=topic]:checked"), function (i) { return i.value; });
    var onlyReview = drill.controls.querySelector("input[name=only-review]").checked;
    var state = load();
    return drill.all.filter(function (q) {
      return chosen.indexOf(q.topic) >= 0 && (!onlyReview || state.marks[q.id.toLowerCase()] === "review");
    });
  }

  function nextQuestion() {
    var pool = drillPool();
    if (!pool.length) {
      drill.current = null;
      drill.card.replaceChildren(el("p", { text: L.drillEmpty }));
      return;
    }
    var choices = pool.length > 1 ? pool.filter(function (q) { return q !== drill.last; }) : pool;
    var q = choices[Math.floor(Math.random() * choices.length)];
    drill.current = q;
    drill.last = q;
    var heading = el("h2", { class: "study-card__title", tabindex: "-1", text: q.id + " · " + q.title });
    var answer = el("div", { class: "study-card__answer", hidden: "" });
    drill.card.replaceChildren(
      el("p", { class: "study-card__topic", text: q.topic }),
      heading,
      markButtons(q.id.toLowerCase()),
      el("div", { class: "study-card__actions" }, [
        el("button", { type: "button", class: "study-show md-button md-button--primary", text: L.showAnswer }),
        el("button", { type: "button", class: "study-next md-button", text: L.nextQuestion }),
        el("a", { href: new URL(q.url, siteBase).href, text: L.openInPage })
      ]),
      answer
    );
    refresh();
    heading.focus();
  }

  function showAnswer() {
    if (!drill || !drill.current) return;
    var answer = drill.card.querySelector(".study-card__answer");
    if (!answer.hidden) return;
    var q = drill.current;
    var url = new URL(q.url, siteBase);
    fetch(url.href.split("#")[0]).then(function (r) { return r.text(); }).then(function (text) {
      if (drill.current !== q) return;
      var doc = new DOMParser().parseFromString(text, "text/html");
      var details = doc.getElementById(q.id.toLowerCase()).nextElementSibling;
      while (details && !details.matches("details.answer")) details = details.nextElementSibling;
      Array.prototype.forEach.call(details.querySelectorAll("[href], [src]"), function (node) {
        ["href", "src"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value) node.setAttribute(attr, new URL(value, url).href);
        });
      });
      details.querySelector("summary").remove();
      answer.replaceChildren.apply(answer, Array.prototype.slice.call(details.childNodes));
      answer.hidden = false;
      drill.card.querySelector(".study-show").setAttribute("disabled", "");
    });
  }

  /* Events (bound once; pages come and go under instant navigation) --------------- */

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button, a");
    if (!target) return;
    if (target.matches(".study-mark")) setMark(target.getAttribute("data-qid"), target.getAttribute("data-mark"));
    else if (target.matches(".study-reveal")) {
      var state = load();
      state.revealAll = !state.revealAll;
      save(state);
      setAllAnswers(state.revealAll);
      refresh();
    } else if (target.matches(".study-copy")) {
      var link = location.href.split("#")[0] + "#" + target.getAttribute("data-qid");
      (navigator.clipboard ? navigator.clipboard.writeText(link) : Promise.reject()).then(
        function () { announce(L.copied); },
        function () { window.prompt(L.copyLink, link); });
    } else if (target.matches(".study-help-open")) helpDialog().showModal();
    else if (target.matches(".study-clear")) {
      if (window.confirm(L.confirmClear)) {
        var cleared = load();
        cleared.marks = {};
        save(cleared);
        refresh();
        announce(L.cleared);
      }
    } else if (target.matches(".study-show")) showAnswer();
    else if (target.matches(".study-next")) nextQuestion();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    if (document.querySelector("dialog[open]")) return;
    var key = event.key;
    if (key === "?") { helpDialog().showModal(); event.preventDefault(); return; }
    if (drill && document.getElementById("study-drill")) {
      if (key === " " && !(active && /^(BUTTON|A)$/.test(active.tagName))) { showAnswer(); event.preventDefault(); }
      else if (key === "j") { nextQuestion(); event.preventDefault(); }
      else if ((key === "1" || key === "2") && drill.current) setMark(drill.current.id.toLowerCase(), key === "1" ? "known" : "review");
      return;
    }
    var headings = pageQuestions();
    if (!headings.length) return;
    var index = currentIndex(headings);
    if (key === "j" || key === "k") {
      var next = key === "j" ? Math.min(index + (headings[index].getBoundingClientRect().top > 120 ? 0 : 1), headings.length - 1)
                             : Math.max(index - 1, 0);
      goTo(headings[next]);
      event.preventDefault();
    } else if (key === "o") {
      var details = headings[index].parentNode.querySelector("#" + headings[index].id + " ~ details.answer");
      if (details) details.open = !details.open;
      event.preventDefault();
    } else if (key === "1" || key === "2") {
      setMark(headings[index].id, key === "1" ? "known" : "review");
    }
  });

  window.addEventListener("storage", function (event) { if (event.key === STORE) refresh(); });

  /* Per page ----------------------------------------------------------------------- */

  function setup() {
    drill = null;
    if (pageQuestions().length) setupQuestionPage();
    var drillRoot = document.getElementById("study-drill");
    if (drillRoot) setupDrill(drillRoot);
    refresh();
  }

  if (window.document$) window.document$.subscribe(setup); else setup();
})();
