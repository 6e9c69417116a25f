/* The drill page: deal questions from the chosen topics, show an answer when asked.
   Each question is a <template> in the page (overrides/drill.html), answer included, so
   nothing is fetched and the page works from file:// too. Handlers are bound once; the
   theme's instant navigation runs this script again on each visit to the page.

   A round is a shuffled deck of the questions in scope: no question comes twice until
   the deck is spent. The shuffle is weighted (Efraimidis–Spirakis: sort by u^(1/w)), so
   questions marked 再复习 tend to come first and unmarked ones next; questions marked
   会了 stay out unless the reader asks for them. */

(function () {
  "use strict";
  var S = window.HandbookStudy;
  var L = S.labels;
  var WEIGHT = { review: 3, none: 1, known: 0.5 };
  var drill = null;

  function chosenTopics() {
    return Array.prototype.map.call(drill.controls.querySelectorAll("input[name=topic]:checked"),
      function (input) { return input.value; });
  }

  function pool() {
    var chosen = chosenTopics();
    var onlyReview = drill.controls.querySelector("input[name=only-review]").checked;
    var withKnown = drill.controls.querySelector("input[name=include-known]").checked;
    var marks = S.load().marks;
    return drill.cards.filter(function (card) {
      var mark = marks[card.getAttribute("data-qid")];
      return chosen.indexOf(card.getAttribute("data-topic")) >= 0 &&
        (!onlyReview || mark === "review") && (withKnown || mark !== "known");
    });
  }

  function shuffle(cards) {
    var marks = S.load().marks;
    return cards.map(function (card) {
      var weight = WEIGHT[marks[card.getAttribute("data-qid")] || "none"];
      return { card: card, key: Math.pow(Math.random(), 1 / weight) };
    }).sort(function (a, b) { return b.key - a.key; }).map(function (entry) { return entry.card; });
  }

  /* A new deck from the current scope; the question on screen does not open the next one */
  function newDeck() {
    var deck = shuffle(pool());
    if (deck.length > 1 && deck[0] === drill.current) deck.push(deck.shift());
    drill.deck = deck;
    drill.dealt = 0;
  }

  function showScope() {
    var all = drill.controls.querySelectorAll("input[name=topic]").length;
    drill.scope.textContent = S.format(L.drillScope, { topics: chosenTopics().length, all: all, count: pool().length });
  }

  /* byUser: drawn by a click or a key, so the focus follows the card (not on page load,
     where a focus ring on the title would be the first thing a reader sees) */
  function nextQuestion(byUser) {
    if (drill.dealt >= drill.deck.length) newDeck();
    if (!drill.deck.length) {
      drill.current = null;
      drill.position.textContent = "";
      drill.card.replaceChildren(drill.empty.content.cloneNode(true));
      return;
    }
    var card = drill.deck[drill.dealt];
    drill.dealt += 1;
    drill.current = card;
    drill.card.replaceChildren(card.content.cloneNode(true));
    drill.position.textContent = S.format(L.deckPosition, { n: drill.dealt, total: drill.deck.length });
    S.refreshMarks();
    if (byUser) {
      drill.card.querySelector(".study-card__title").focus({ preventScroll: true });
      // On a phone the card starts at the top of the screen, not below the last answer
      if (drill.card.getBoundingClientRect().top < 0) drill.card.scrollIntoView({ block: "start" });
    }
  }

  function rescope() {
    newDeck();
    showScope();
    nextQuestion(false);
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
      scope: root.querySelector(".study-drill-scope > summary"),
      position: root.querySelector(".study-deck-position"),
      empty: root.querySelector("template.study-drill-empty"),
      cards: Array.prototype.slice.call(document.querySelectorAll("template.study-card-template")),
      current: null, deck: [], dealt: 0
    };
    if (drill) rescope();
  }

  if (!window.HandbookDrill) {
    window.HandbookDrill = true;
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !drill || !drill.root.isConnected) return;
      if (target.matches(".study-show")) showAnswer();
      else if (target.matches(".study-next")) nextQuestion(true);
      else if (target.matches(".study-topics-all, .study-topics-none")) {
        var on = target.matches(".study-topics-all");
        drill.controls.querySelectorAll("input[name=topic]").forEach(function (input) { input.checked = on; });
        rescope();
      }
    });
    document.addEventListener("change", function (event) {
      if (drill && drill.controls.contains(event.target)) rescope();
    });
    document.addEventListener("keydown", function (event) {
      if (!drill || !drill.root.isConnected || S.ignoreKey(event)) return;
      var active = document.activeElement;
      if (event.key === " " && !(active && /^(BUTTON|A|SUMMARY)$/.test(active.tagName))) { showAnswer(); event.preventDefault(); }
      else if (event.key === "j") { nextQuestion(true); event.preventDefault(); }
      else if ((event.key === "1" || event.key === "2") && drill.current) {
        S.setMark(drill.current.getAttribute("data-qid"), event.key === "1" ? "known" : "review");
      }
    });
  }

  setup();
})();
