/* The drill page: draw a question from the chosen topics, show its answer when asked.
   Each question is a <template> in the page (overrides/drill.html), answer included, so
   nothing is fetched and the page works from file:// too. Handlers are bound once; the
   theme's instant navigation runs this script again on each visit to the page. */

(function () {
  "use strict";
  var S = window.HandbookStudy;
  var drill = null;

  function pool() {
    var chosen = Array.prototype.map.call(drill.controls.querySelectorAll("input[name=topic]:checked"),
      function (input) { return input.value; });
    var onlyReview = drill.controls.querySelector("input[name=only-review]").checked;
    var state = S.load();
    return drill.cards.filter(function (card) {
      return chosen.indexOf(card.getAttribute("data-topic")) >= 0 &&
        (!onlyReview || state.marks[card.getAttribute("data-qid")] === "review");
    });
  }

  function nextQuestion() {
    var cards = pool();
    if (!cards.length) {
      drill.current = null;
      drill.card.replaceChildren(drill.empty.content.cloneNode(true));
      return;
    }
    var choices = cards.length > 1 ? cards.filter(function (c) { return c !== drill.last; }) : cards;
    var card = choices[Math.floor(Math.random() * choices.length)];
    drill.current = drill.last = card;
    drill.card.replaceChildren(card.content.cloneNode(true));
    S.refreshMarks();
    drill.card.querySelector(".study-card__title").focus();
  }

  function showAnswer() {
    if (!drill || !drill.current) return;
    var answer = drill.card.querySelector(".study-card__answer");
    answer.hidden = false;
    drill.card.querySelector(".study-show").setAttribute("disabled", "");
  }

  function setup() {
    var root = document.getElementById("study-drill");
    drill = root && {
      root: root,
      card: root.querySelector(".study-card"),
      controls: root.querySelector(".study-drill-controls"),
      empty: root.querySelector("template.study-drill-empty"),
      cards: Array.prototype.slice.call(document.querySelectorAll("template.study-card-template")),
      current: null, last: null
    };
    if (drill) nextQuestion();
  }

  if (!window.HandbookDrill) {
    window.HandbookDrill = true;
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !drill || !drill.root.isConnected) return;
      if (target.matches(".study-show")) showAnswer();
      else if (target.matches(".study-next")) nextQuestion();
    });
    document.addEventListener("change", function (event) {
      if (drill && drill.controls.contains(event.target)) nextQuestion();
    });
    document.addEventListener("keydown", function (event) {
      if (!drill || !drill.root.isConnected || S.ignoreKey(event)) return;
      var active = document.activeElement;
      if (event.key === " " && !(active && /^(BUTTON|A)$/.test(active.tagName))) { showAnswer(); event.preventDefault(); }
      else if (event.key === "j") { nextQuestion(); event.preventDefault(); }
      else if ((event.key === "1" || event.key === "2") && drill.current) {
        S.setMark(drill.current.getAttribute("data-qid"), event.key === "1" ? "known" : "review");
      }
    });
  }

  setup();
})();
