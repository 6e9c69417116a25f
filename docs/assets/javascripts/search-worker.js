/* Appended to the theme's search worker by overrides/hooks/search_index.py: how a query
   is cut into words, and which results a reader sees without a click.

   Query. The index is segmented by jieba at build time (with search-dictionary.txt), so
   its vocabulary is exactly the words a query has to be cut into. The theme's own query
   segmenter never tests a word that ends the query ("显存" becomes "显", "混合精度" becomes
   "混合" + "精"); the worker calls prepareQuery() instead. A run of Han characters is cut
   into the fewest index words (dynamic programming, a character the index does not know
   costs double), and particles and question words are dropped, so "X 和 Y 的区别" ranks by
   X, Y and 区别, not by 的 and 和.

   Results. The theme groups results by page and shows, under the page, only the sections
   that score exactly as well as the best one; the rest wait behind "N more results". On
   a topic page two questions often answer a query almost equally (转置卷积: T02 and T21),
   so a section within NEAR of the page's best is shown too. */
(function () {
  "use strict"

  // Words that carry no concept in a query; they never decide a ranking
  const PARTICLES = new Set([
    "的", "地", "得", "了", "着", "过", "吗", "呢", "吧", "啊", "么", "呀",
    "和", "与", "及", "或", "跟", "同", "还是", "以及",
    "是", "有", "在", "要", "会", "能", "可以", "需要", "应该", "用", "把", "被", "对", "中", "里",
    "什么", "为什么", "为何", "怎么", "怎样", "怎么样", "如何", "哪些", "哪个", "哪里", "多少", "几",
    "是什么", "有什么", "有哪些", "什么样", "一个", "一下", "这个", "那个", "请问"
  ])
  const LONGEST = 12

  function has(vocab, word) {
    return Object.prototype.hasOwnProperty.call(vocab, word)
  }

  function cut(run, vocab) {
    const n = run.length
    const cost = new Array(n + 1).fill(Infinity)
    const from = new Array(n + 1).fill(0)
    cost[0] = 0
    for (let i = 0; i < n; i++) {
      if (cost[i] === Infinity) continue
      for (let j = i + 1; j <= Math.min(n, i + LONGEST); j++) {
        const word = run.slice(i, j)
        const known = has(vocab, word)
        if (!known && j > i + 1) continue
        const next = cost[i] + (known ? 1 : 2)
        if (next < cost[j]) {
          cost[j] = next
          from[j] = i
        }
      }
    }
    const words = []
    for (let j = n; j > 0; j = from[j]) words.unshift(run.slice(from[j], j))
    return words
  }

  // The query terms of a run: its words, without particles
  function terms(run, vocab) {
    return cut(run, vocab).filter(word => !PARTICLES.has(word))
  }

  // One run of Han characters as space-separated terms. A query of particles only
  // ("为什么") keeps them: it has nothing else. A word the index has is looked up whole
  // ("^1": the theme adds its wildcard to every other term): "梯度*" would match 梯度消失,
  // 梯度弥散 and 梯度爆炸 as three terms and rank a title holding all three first; the
  // index holds each compound's parts instead (search_index.py). A character it does not
  // have keeps the wildcard: the reader may be typing the rest of a word.
  function segment(run, vocab, query) {
    const found = terms(run, vocab).map(word => has(vocab, word) ? `${word}^1` : word)
    if (found.length) return ` ${found.join(" ")} `  // "loss不下降": not "loss不" as one term
    const rest = query.replace(/\p{sc=Han}+/gu, other => terms(other, vocab).join(""))
    return /[\p{L}\p{N}]/u.test(rest) ? " " : ` ${cut(run, vocab).join(" ")} `
  }

  // Results scoring at least this share of their page's best are shown, not folded
  const NEAR = 0.75
  const RESULT = 3  // the theme's SearchMessageType.RESULT

  // The theme's worker answers with the global postMessage: show near-best sections by
  // giving them the best score of their group (the theme folds what scores lower)
  const post = self.postMessage.bind(self)
  self.postMessage = function (message, ...rest) {
    if (message && message.type === RESULT && message.data && message.data.items)
      for (const group of message.data.items) {
        const best = group.length ? group[0].score : 0
        for (const item of group)
          if (item.score >= NEAR * best) item.score = best
      }
    return post(message, ...rest)
  }

  // The query as the theme's parser expects it. Sizes are spelled as the index spells
  // them (search_index.py): "1×1" and "1*1" (a wildcard to the parser) become "1x1".
  self.prepareQuery = function (query, vocab) {
    return query
      .replace(/(\d)\s*[×*Xx]\s*(?=\d)/g, "$1x")
      .replace(/\p{sc=Han}+/gu, run => segment(run, vocab, query))
  }
})()
