/* The calculation drills page (docs/calculation-drills.md, overrides/calculation-drills.html):
   endless generated problems of each kind, the reader's answer checked within a stated
   tolerance, the solution worked step by step, and per-kind accuracy and streaks kept in
   this browser for the review page.

   A problem is a pure function of (kind, level, seed): the seed is in the URL, so a problem
   can be shared, and tests/test_calculation_drills.py draws 500 seeds of every kind and
   level through `HandbookCalc.problem` and compares every answer with notebooks/formulas.py
   (the module the notebooks import) and with PyTorch. `params` of a problem are the
   arguments of its formula there.

   Classic script, nothing fetched, so the page works from file:// too. Loaded only by this
   page; the theme's instant navigation runs it again on each visit, handlers bind once. */

(function () {
  "use strict";

  /* Random numbers ------------------------------------------------------------------ */

  // mulberry32: small, fast, and the same sequence in every browser for a given seed
  function rng(seed) {
    var a = seed >>> 0;
    function next() {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    return {
      int: function (lo, hi) { return lo + Math.floor(next() * (hi - lo + 1)); },
      pick: function (list) { return list[Math.floor(next() * list.length)]; },
      chance: function (p) { return next() < p; }
    };
  }

  /* Numbers as a reader writes them ---------------------------------------------------- */

  function int(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  // At most `digits` decimals, trailing zeros dropped: 0.5, 0.1429, 12
  function dec(x, digits) {
    var text = x.toFixed(digits === undefined ? 4 : digits);
    if (text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }

  // Large counts in the unit an engineer says aloud: 218,112,000 ≈ 218.1M
  function big(n) {
    var units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(n) >= units[i][0]) return dec(n / units[i][0], 2) + units[i][1];
    }
    return int(n);
  }

  /* Accepts 1234, 1,234, 1 234, 1.5e6, 3/7, 37.5%, −0.2 (a typographic minus) */
  function parseAnswer(text) {
    var s = String(text).trim().replace(/[\s,_]/g, "").replace(/[−–]/g, "-").replace(/[／]/g, "/");
    if (!s) return NaN;
    var percent = /%$/.test(s);
    if (percent) s = s.slice(0, -1);
    var value;
    var fraction = /^(-?\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(s);
    if (fraction) value = Number(fraction[1]) / Number(fraction[2]);
    else if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) value = Number(s);
    else return NaN;
    return percent ? value / 100 : value;
  }

  function within(answer, given) {
    if (!isFinite(given)) return false;
    var tol = answer.tol || { abs: 0 };
    // Exact answers are integers below 2^53: equal or wrong (a relative slack would let a
    // MAC count of 10^11 pass with a hundred off)
    if (!tol.abs && !tol.rel) return given === answer.value;
    // 1e-12: 0.251 - 0.25 is 0.0010000000000000009 in floats, and must pass at ±0.001
    return Math.abs(given - answer.value) <= Math.max(tol.abs || 0, (tol.rel || 0) * Math.abs(answer.value)) + 1e-12;
  }

  /* Math: a small TeX subset to MathML, drawn by the browser like the site's formulas --- */

  // The characters here are added to the math font by scripts/math_font.py; \cdot is
  // U+00B7, as latex2mathml writes it
  var SYMBOL = {
    times: "×", cdot: "·", approx: "≈", le: "≤", ge: "≥", ne: "≠", lfloor: "⌊", rfloor: "⌋",
    lceil: "⌈", rceil: "⌉", sum: "∑", to: "→", ldots: "…", cdots: "⋯", mid: "∣", "%": "%"
  };
  var LETTER = { alpha: "α", beta: "β", sigma: "σ", ell: "ℓ", partial: "∂", Delta: "Δ", Psi: "Ψ" };
  var OPERATOR = { "-": "−" };
  var NAMED = { max: 1, min: 1, log: 1, exp: 1, ln: 1 };
  var SPACE = { ",": "0.1667em", ";": "0.2778em", " ": "0.25em", quad: "1em" };
  var TOKEN = /\\[A-Za-z]+|\\[,; %]|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[A-Za-z]|\S/g;

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function mathml(tex) {
    var tokens = [], ends = [], match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(tex))) { tokens.push(match[0]); ends.push(TOKEN.lastIndex); }
    var at = 0;

    // The source between braces, as written (\text keeps its spaces)
    function braced() {
      if (tokens[at] !== "{") throw new Error("expected { in " + tex);
      var start = ends[at], depth = 0;
      for (at += 1; at < tokens.length; at += 1) {
        if (tokens[at] === "{") depth += 1;
        if (tokens[at] === "}" && depth-- === 0) { at += 1; return tex.slice(start, ends[at - 1] - 1); }
      }
      throw new Error("unclosed { in " + tex);
    }

    function atom() {
      var t = tokens[at++];
      if (t === "{") { at -= 1; var inner = braced(); return "<mrow>" + mathml(inner) + "</mrow>"; }
      if (t === "\\frac") return "<mfrac>" + atom() + atom() + "</mfrac>";
      if (t === "\\sqrt") return "<msqrt>" + atom() + "</msqrt>";
      if (t === "\\text") return "<mtext>" + escapeHtml(braced()) + "</mtext>";
      if (t === "\\mathrm") return "<mi>" + escapeHtml(braced()) + "</mi>";
      if (t === "\\left" || t === "\\right") return atom();
      if (t.charAt(0) === "\\") {
        var name = t.slice(1);
        if (SYMBOL[name]) return "<mo>" + SYMBOL[name] + "</mo>";
        if (LETTER[name]) return "<mi>" + LETTER[name] + "</mi>";
        if (NAMED[name]) return "<mi>" + name + "</mi>";
        if (SPACE[name]) return '<mspace width="' + SPACE[name] + '"></mspace>';
        throw new Error("unknown TeX " + t + " in " + tex);
      }
      if (/^\d/.test(t)) return "<mn>" + t + "</mn>";
      if (/^[A-Za-z]$/.test(t)) return "<mi>" + t + "</mi>";
      return "<mo>" + escapeHtml(OPERATOR[t] || t) + "</mo>";
    }

    var out = "";
    while (at < tokens.length) {
      var base = atom(), sub = null, sup = null;
      while (tokens[at] === "_" || tokens[at] === "^") {
        var which = tokens[at++];
        if (which === "_") sub = atom(); else sup = atom();
      }
      if (sub && sup) out += "<msubsup>" + base + sub + sup + "</msubsup>";
      else if (sub) out += "<msub>" + base + sub + "</msub>";
      else if (sup) out += "<msup>" + base + sup + "</msup>";
      else out += base;
    }
    return out;
  }

  function math(tex, display) {
    var body = "<semantics><mrow>" + mathml(tex) + '</mrow><annotation encoding="application/x-tex">' +
      escapeHtml(tex) + "</annotation></semantics></math>";
    return display
      ? '<div class="math-display" tabindex="0"><math display="block">' + body + "</div>"
      : "<math>" + body;
  }

  // Prose with $inline math$ and `code`
  function inline(text) {
    return text.replace(/\$([^$]+)\$|`([^`]+)`/g, function (_, tex, code) {
      return tex ? math(tex, false) : "<code>" + escapeHtml(code) + "</code>";
    });
  }

  // A step of a worked solution: a sentence, then optional display formulas
  function step(text) {
    var html = "<p>" + inline(text) + "</p>";
    for (var i = 1; i < arguments.length; i++) html += math(arguments[i], true);
    return html;
  }

  /* Problem kinds ------------------------------------------------------------------------
     make(r, level) returns { params, prompt, answers, steps }. `params` are the keyword
     arguments of the formula in notebooks/formulas.py; each answer has a key (the test's
     name for it), a label, its value, a tolerance ({abs} or {rel}) and the tolerance in words. */

  var EXACT = { tol: { abs: 0 }, hint: "整数，须完全相同" };

  function exact(key, label, value) { return { key: key, label: label, value: value, tol: EXACT.tol, hint: EXACT.hint }; }
  function approx(key, label, value, abs, hint) { return { key: key, label: label, value: value, tol: { abs: abs }, hint: hint }; }
  function relative(key, label, value, rel, unit) {
    return { key: key, label: label, value: value, tol: { rel: rel }, unit: unit, hint: "误差不超过 " + dec(rel * 100, 2) + "%" };
  }

  function effectiveKernel(k, d) { return k + (k - 1) * (d - 1); }
  function convOut(n, k, s, p, d) { return Math.floor((n + 2 * p - effectiveKernel(k, d)) / s) + 1; }

  var KINDS = {};

  KINDS["conv-output"] = function (r, level) {
    var n, k, s, p, d;
    do {
      if (level === 1) {
        n = r.int(5, 32); k = r.pick([1, 3, 5]); s = r.pick([1, 2]); p = r.int(0, (k - 1) / 2); d = 1;
      } else if (level === 2) {
        n = r.int(14, 128); k = r.pick([1, 3, 5, 7]); s = r.pick([1, 2, 3]); p = r.int(0, (k + 1) / 2); d = k > 1 ? r.pick([1, 1, 2, 3]) : 1;
      } else {
        n = r.pick([224, 227, 256, 299, 320, 384, 512, 640, 56, 28, 14, 7]);
        var layer = r.pick([[7, 2, 3, 1], [11, 4, 2, 1], [3, 2, 1, 1], [3, 1, 1, 1], [3, 1, 2, 2], [3, 1, 6, 6],
          [3, 1, 12, 12], [1, 2, 0, 1], [3, 2, 0, 1], [5, 2, 2, 1], [3, 1, 4, 4], [2, 2, 0, 1], [3, 2, 2, 2]]);
        k = layer[0]; s = layer[1]; p = layer[2]; d = layer[3];
      }
    } while (n + 2 * p < effectiveKernel(k, d));
    var ke = effectiveKernel(k, d), span = n + 2 * p - ke, out = Math.floor(span / s) + 1;
    var steps = [];
    if (d > 1) steps.push(step("空洞率 $d = " + d + "$ 在核的相邻两个采样点之间插 $d - 1$ 个空位，等效核长：",
      "k_{\\mathrm{eff}} = k + (k - 1)(d - 1) = " + k + " + " + (k - 1) + " \\times " + (d - 1) + " = " + ke));
    steps.push(step("输出边长（PyTorch `Conv2d` 的公式，向下取整）：",
      "o = \\left\\lfloor \\frac{n + 2p - " + (d > 1 ? "k_{\\mathrm{eff}}" : "k") + "}{s} \\right\\rfloor + 1",
      "= \\left\\lfloor \\frac{" + n + " + 2 \\times " + p + " - " + ke + "}{" + s + "} \\right\\rfloor + 1 = \\left\\lfloor \\frac{" + span + "}{" + s +
      "} \\right\\rfloor + 1 = " + out));
    if (span % s) steps.push(step("$" + span + "$ 不能被 $" + s + "$ 整除：最后 $" + (span % s) + "$ 个位置凑不满一步，被丢掉。" +
      "池化层若设 `ceil_mode=True`（Caffe 的默认），会向上取整得 $" + (Math.ceil(span / s) + 1) + "$。"));
    return {
      params: { n: n, k: k, s: s, p: p, d: d },
      prompt: "输入特征图 $" + n + " \\times " + n + "$，卷积核 $" + k + " \\times " + k + "$，步幅 $s = " + s + "$，填充 $p = " + p + "$" +
        (d > 1 ? "，空洞率 $d = " + d + "$" : "") + "。输出特征图的边长是多少？",
      answers: [exact("out", "输出边长", out)],
      steps: steps
    };
  };

  KINDS["conv-cost"] = function (r, level) {
    var cIn, cOut, k, g, bias, n, s, type;
    if (level === 1) {
      type = "standard"; cIn = r.int(1, 8); cOut = r.int(1, 16); k = r.pick([1, 3]); n = r.int(4, 16); s = 1; g = 1;
    } else if (level === 2) {
      type = r.pick(["standard", "standard", "grouped"]); cIn = r.pick([16, 32, 48, 64, 96, 128]); cOut = r.pick([16, 32, 64, 128]);
      k = r.pick([1, 3, 5]); n = r.pick([8, 14, 16, 28, 32]); s = r.pick([1, 2]); g = type === "grouped" ? r.pick([2, 4, 8]) : 1;
    } else {
      type = r.pick(["standard", "grouped", "depthwise"]); n = r.pick([7, 14, 28, 56, 112]); s = r.pick([1, 1, 2]);
      cIn = r.pick([64, 128, 256, 512, 1024]); k = type === "standard" ? r.pick([1, 3, 3, 7]) : 3;
      cOut = type === "depthwise" ? cIn : r.pick([64, 128, 256, 512, 1024, 2048]);
      g = type === "depthwise" ? cIn : type === "grouped" ? 32 : 1;
    }
    bias = level === 1 ? r.chance(0.5) : r.chance(0.3);
    var p = (k - 1) / 2, out = convOut(n, k, s, p, 1), perFilter = (cIn / g) * k * k;
    var weights = cOut * perFilter, params = weights + (bias ? cOut : 0), macs = weights * out * out;
    var name = { standard: "普通卷积", grouped: g + " 组的分组卷积", depthwise: "深度卷积（depthwise，groups = 输入通道数）" }[type];
    var steps = [
      step("输出边长（填充 $p = " + p + "$）：", "o = \\left\\lfloor \\frac{" + n + " + 2 \\times " + p + " - " + k + "}{" + s + "} \\right\\rfloor + 1 = " + out),
      step("每个输出通道的卷积核只看自己那组的 $C_{\\mathrm{in}} / g = " + cIn + " / " + g + " = " + (cIn / g) + "$ 个输入通道：",
        "\\frac{C_{\\mathrm{in}}}{g} k^2 = " + (cIn / g) + " \\times " + (k * k) + " = " + int(perFilter)),
      step("参数量：每个输出通道一个核" + (bias ? "，再加一个偏置" : "（无偏置）") + "：",
        "C_{\\mathrm{out}} \\cdot \\frac{C_{\\mathrm{in}}}{g} k^2" + (bias ? " + C_{\\mathrm{out}}" : "") + " = " + cOut + " \\times " + int(perFilter) +
        (bias ? " + " + cOut : "") + " = " + int(params)),
      step("乘加次数（MACs）：每个输出位置、每个输出通道做 $\\frac{C_{\\mathrm{in}}}{g} k^2$ 次乘加（偏置的加法不计）：",
        "C_{\\mathrm{out}} \\cdot \\frac{C_{\\mathrm{in}}}{g} k^2 \\cdot o^2 = " + int(weights) + " \\times " + (out * out) + " = " + int(macs) + " \\approx " + big(macs)),
      step("FLOPs 通常按一次乘加算 2 次浮点运算，约 " + big(2 * macs) + "。")
    ];
    return {
      params: { c_in: cIn, c_out: cOut, k: k, groups: g, bias: bias, n: n, s: s, p: p },
      prompt: "输入 $" + n + " \\times " + n + " \\times " + cIn + "$，" + name + "，$" + k + " \\times " + k + "$ 核，输出 $" + cOut + "$ 个通道，步幅 $" + s +
        "$，填充 $" + p + "$，" + (bias ? "带偏置" : "不带偏置") + "。这一层有多少参数？做多少次乘加（MACs）？",
      answers: [exact("params", "参数量", params), exact("macs", "乘加次数（MACs）", macs)],
      steps: steps
    };
  };

  KINDS["bottleneck"] = function (r, level) {
    var c, m, k = 3;
    if (level === 1) { c = 8 * r.int(1, 16); m = c / r.pick([2, 4, 8]); }
    else if (level === 2) { c = 32 * r.int(2, 16); m = c / r.pick([2, 4, 8]); k = r.pick([3, 3, 5]); }
    else { c = r.pick([256, 512, 1024, 2048]); m = c / r.pick([4, 4, 2]); }
    var direct = c * c * k * k, b1 = c * m, b2 = m * m * k * k, b3 = m * c, bottleneck = b1 + b2 + b3;
    return {
      params: { c: c, m: m, k: k },
      prompt: "输入输出都是 $" + c + "$ 个通道。直接用一层 $" + k + " \\times " + k + "$ 卷积，和用瓶颈结构" +
        "（$1 \\times 1$ 降到 $" + m + "$ 通道 → $" + k + " \\times " + k + "$ → $1 \\times 1$ 升回 $" + c + "$ 通道）各有多少参数？都不计偏置（后面接 BN）。",
      answers: [exact("direct", "直接卷积的参数量", direct), exact("bottleneck", "瓶颈结构的参数量", bottleneck)],
      steps: [
        step("直接卷积：", "C^2 k^2 = " + c + "^2 \\times " + (k * k) + " = " + int(direct)),
        step("瓶颈结构三层相加：",
          "C m + m^2 k^2 + m C = " + int(b1) + " + " + int(b2) + " + " + int(b3) + " = " + int(bottleneck)),
        step("省下 $" + dec(100 * (1 - bottleneck / direct), 1) + "\\%$，参数只有直接卷积的 $1 / " + dec(direct / bottleneck, 2) + "$。" +
          "$1 \\times 1$ 卷积先压通道，昂贵的 $k \\times k$ 只在窄的 $m$ 通道上做。")
      ]
    };
  };

  KINDS["receptive-field"] = function (r, level) {
    var count = level === 1 ? r.int(2, 4) : level === 2 ? r.int(3, 5) : r.int(5, 8);
    var layers = [], rows = [], rf = 1, jump = 1;
    for (var i = 0; i < count; i++) {
      var kind = level === 1 ? r.pick(["conv", "conv", "pool"]) : r.pick(["conv", "conv", "pool", "dilated"]);
      var k = 3, s = 1, d = 1;
      if (kind === "conv") { k = level === 1 ? r.pick([3, 3, 5]) : r.pick([1, 3, 3, 5, 7]); s = r.chance(level === 3 ? 0.25 : 0.3) ? 2 : 1; }
      else if (kind === "pool") { k = r.pick([2, 3]); s = 2; }
      else { d = r.pick([2, 3, 4, 8]); }
      layers.push([k, s, d]);
      var ke = effectiveKernel(k, d), next = rf + (ke - 1) * jump;
      rows.push("| " + (i + 1) + " | " + { conv: "卷积", pool: "池化", dilated: "空洞卷积" }[kind] + " | " + k + " | " + s + " | " + d + " | " + ke +
        " | " + jump + " | " + rf + " + (" + ke + " − 1) × " + jump + " = **" + next + "** | " + jump * s + " |");
      rf = next; jump *= s;
    }
    var listing = layers.map(function (l, i) {
      var name = l[2] > 1 ? "空洞卷积 $" + l[0] + " \\times " + l[0] + "$，$d = " + l[2] + "$" :
        (rows[i].indexOf("池化") >= 0 ? "池化 $" : "卷积 $") + l[0] + " \\times " + l[0] + "$";
      return name + "，步幅 $" + l[1] + "$";
    });
    return {
      params: { layers: layers },
      prompt: "从输入开始依次是：" + listing.join("；") + "。最后一层输出的一个像素，感受野（单边）多大？相邻两个输出像素在输入上相隔几个像素（跳步 jump）？",
      answers: [exact("rf", "感受野", rf), exact("jump", "跳步", jump)],
      steps: [
        step("逐层递推：每层把感受野扩大 $(k_{\\mathrm{eff}} - 1)$ 个“上一层的像素”，上一层一个像素在输入上相隔 $j$，所以",
          "r_{\\ell} = r_{\\ell - 1} + (k_{\\mathrm{eff}} - 1) \\, j_{\\ell - 1}, \\quad j_{\\ell} = j_{\\ell - 1} s_{\\ell}, \\quad k_{\\mathrm{eff}} = k + (k - 1)(d - 1)"),
        table(["层", "类型", "k", "s", "d", "k<sub>eff</sub>", "j（入）", "r", "j（出）"], rows),
        step("感受野 $" + rf + "$，跳步 $" + jump + "$（各层步幅之积）。填充不影响感受野的大小，只影响它落在输入上的位置。")
      ]
    };
  };

  // A Markdown-like table row "| a | b |" as HTML, **bold** allowed
  function table(head, rows) {
    function cells(row, tag) {
      return row.map(function (cell) { return "<" + tag + ">" + cell.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>") + "</" + tag + ">"; }).join("");
    }
    return '<div class="calc-table"><table><thead><tr>' + cells(head, "th") + "</tr></thead><tbody>" +
      rows.map(function (row) { return "<tr>" + cells(row.replace(/^\|\s*|\s*\|$/g, "").split(/\s+\|\s+/), "td") + "</tr>"; }).join("") +
      "</tbody></table></div>";
  }

  KINDS["transposed-output"] = function (r, level) {
    var n, k, s, p, op, out;
    do {
      if (level === 1) { n = r.int(2, 8); k = r.pick([2, 3, 4]); s = r.pick([1, 2]); p = r.pick([0, 1]); op = 0; }
      else if (level === 2) { n = r.int(4, 32); k = r.pick([2, 3, 4, 5]); s = r.pick([2, 3]); p = r.int(0, 2); op = r.int(0, s - 1); }
      else {
        var layer = r.pick([[4, 2, 1, 0], [2, 2, 0, 0], [3, 2, 1, 1], [64, 32, 16, 0], [16, 8, 4, 0], [4, 4, 0, 0], [3, 1, 1, 0], [5, 2, 2, 1]]);
        n = r.pick([4, 7, 8, 14, 16, 28, 32, 64]); k = layer[0]; s = layer[1]; p = layer[2]; op = layer[3];
      }
      out = (n - 1) * s - 2 * p + (k - 1) + op + 1;
    } while (out < 1);
    return {
      params: { n: n, k: k, s: s, p: p, output_padding: op },
      prompt: "转置卷积（PyTorch `ConvTranspose2d`）：输入 $" + n + " \\times " + n + "$，核 $" + k + " \\times " + k + "$，步幅 $s = " + s +
        "$，填充 $p = " + p + "$" + (op ? "，`output_padding` $= " + op + "$" : "") + "。输出边长是多少？",
      answers: [exact("out", "输出边长", out)],
      steps: [
        step("转置卷积把卷积的尺寸公式倒过来：$n$ 个输入像素在输出上相隔 $s$ 排开，跨度 $(n - 1) s$；每个像素铺一个长 $k$ 的核，末端多出 $k - 1$；" +
          "再减去两侧的填充 $2p$，加上 `output_padding`：",
          "o = (n - 1) s - 2p + (k - 1) + p_{\\mathrm{out}} + 1 = " + (n - 1) + " \\times " + s + " - " + (2 * p) + " + " + (k - 1) + " + " + op + " + 1 = " + out),
        step("检验：对 $" + out + "$ 做同参数的普通卷积，得 $\\lfloor (" + out + " + " + (2 * p) + " - " + k + ") / " + s + " \\rfloor + 1 = " +
          convOut(out, k, s, p, 1) + "$，回到输入尺寸。" + (s > 1 ? "步幅大于 1 时有 $s$ 个输出尺寸卷积后都得 $" + n +
          "$，`output_padding` 就是在它们之间选一个。" : ""))
      ]
    };
  };

  KINDS["checkerboard"] = function (r, level) {
    var k, s;
    if (level === 1) { k = r.int(2, 5); s = r.int(1, 3); }
    else if (level === 2) { k = r.int(2, 9); s = r.int(2, 4); }
    else { s = r.int(2, 8); k = r.int(2, 4 * s); }
    var most = Math.ceil(k / s), least = Math.floor(k / s);
    var even = most === least;
    return {
      params: { k: k, s: s },
      prompt: "转置卷积，核 $" + k + " \\times " + k + "$，步幅 $" + s + "$，输入和卷积核全为 1。离边界足够远的输出像素里，" +
        "一个像素最多、最少叠加了几个“输入像素 × 核元素”的乘积？",
      answers: [exact("most", "最多", most * most), exact("least", "最少", least * least)],
      steps: [
        step("先看一维：输入相邻像素在输出上相隔 $s$，每个输入像素向输出铺一段长 $k$ 的核。一个输出位置被 $\\lceil k/s \\rceil$ 或 $\\lfloor k/s \\rfloor$ 段覆盖：",
          "\\left\\lceil \\frac{" + k + "}{" + s + "} \\right\\rceil = " + most + ", \\quad \\left\\lfloor \\frac{" + k + "}{" + s + "} \\right\\rfloor = " + least),
        step("二维里两个方向相乘：最多 $" + most + "^2 = " + most * most + "$，最少 $" + least + "^2 = " + least * least + "$。"),
        step(even
          ? "$" + s + "$ 整除 $" + k + "$，每个输出像素叠加的次数一样，没有结构性的棋盘格。"
          : (least === 0
            ? "$k < s$：有的输出像素一个输入也收不到，是周期性的空洞，比棋盘格更糟。"
            : "$" + s + "$ 不整除 $" + k + "$：每个方向上叠加次数以 $" + s + "$ 为周期在 $" + least + "$ 和 $" + most + "$ 之间变，二维里就有 $" +
              least * least + "$、$" + least * most + "$、$" + most * most + "$ 三种值，排成网格：这就是棋盘格。") +
          "避免它：让核长是步幅的整数倍（如 $4 \\times 4$、步幅 2），或先最近邻 / 双线性上采样再做普通卷积。")
      ]
    };
  };

  function box(r, size, minSide) {
    var x1 = r.int(0, size - minSide), y1 = r.int(0, size - minSide);
    return [x1, y1, r.int(x1 + minSide, Math.min(size, x1 + Math.max(minSide, Math.round(size * 0.6)))),
      r.int(y1 + minSide, Math.min(size, y1 + Math.max(minSide, Math.round(size * 0.6))))];
  }

  KINDS["iou"] = function (r, level) {
    var size = level === 1 ? 10 : level === 2 ? 100 : 640;
    var a = box(r, size, level === 1 ? 2 : 10), b;
    if (level === 1 || r.chance(0.8)) {
      // Shift a copy of A so the two overlap most of the time
      var w = a[2] - a[0], h = a[3] - a[1];
      var dx = r.int(-w + 1, w - 1), dy = r.int(-h + 1, h - 1);
      var bw = Math.max(1, w + r.int(-Math.floor(w / 2), Math.floor(w / 2))), bh = Math.max(1, h + r.int(-Math.floor(h / 2), Math.floor(h / 2)));
      var x1 = Math.min(Math.max(0, a[0] + dx), size - bw), y1 = Math.min(Math.max(0, a[1] + dy), size - bh);
      b = [x1, y1, x1 + bw, y1 + bh];
    } else {
      b = box(r, size, 10);
    }
    var iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])), ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    var inter = iw * ih, areaA = (a[2] - a[0]) * (a[3] - a[1]), areaB = (b[2] - b[0]) * (b[3] - b[1]), union = areaA + areaB - inter;
    var value = inter / union;
    function show(x) { return "(" + x.join(",\\ ") + ")"; }
    return {
      params: { a: a, b: b },
      prompt: "两个框 $(x_1, y_1, x_2, y_2)$：A $= " + show(a) + "$，B $= " + show(b) + "$（连续坐标，不加 1）。它们的 IoU 是多少？",
      answers: [approx("iou", "IoU", value, 0.001, "三位小数，误差不超过 0.001；也可写分数")],
      steps: [
        step("交集的宽和高：右边界取小、左边界取大，不重叠时取 0：",
          "w = \\max(0, \\min(" + a[2] + ", " + b[2] + ") - \\max(" + a[0] + ", " + b[0] + ")) = " + iw + ", \\quad h = \\max(0, \\min(" + a[3] + ", " + b[3] +
          ") - \\max(" + a[1] + ", " + b[1] + ")) = " + ih),
        step("交集 $" + iw + " \\times " + ih + " = " + int(inter) + "$；两框面积 $" + int(areaA) + "$ 和 $" + int(areaB) + "$，并集要减去算了两次的交集：",
          "\\mathrm{IoU} = \\frac{" + int(inter) + "}{" + int(areaA) + " + " + int(areaB) + " - " + int(inter) + "} = \\frac{" + int(inter) + "}{" + int(union) + "} \\approx " + dec(value, 4))
      ]
    };
  };

  KINDS["average-precision"] = function (r, level) {
    var count = level === 1 ? r.int(4, 5) : level === 2 ? r.int(6, 8) : r.int(10, 12);
    var hits = [], tp = 0;
    for (var i = 0; i < count; i++) { var hit = r.chance(0.6) ? 1 : 0; if (i === 0 && level === 1) hit = 1; hits.push(hit); tp += hit; }
    if (!tp) { hits[r.int(0, count - 1)] = 1; tp = 1; }
    var nGt = tp + (level === 1 ? r.int(0, 1) : r.int(0, level === 2 ? 2 : 3));
    var precision = [], recall = [], seen = 0;
    hits.forEach(function (h, i) { seen += h; precision.push(seen / (i + 1)); recall.push(seen / nGt); });
    var envelope = precision.slice();
    for (var j = envelope.length - 2; j >= 0; j--) envelope[j] = Math.max(envelope[j], envelope[j + 1]);
    var all = 0, previous = 0, terms = [];
    for (j = 0; j < recall.length; j++) {
      if (recall[j] > previous) terms.push(dec(recall[j] - previous) + " \\times " + dec(envelope[j]));
      all += (recall[j] - previous) * envelope[j];
      previous = recall[j];
    }
    var points = [], eleven = 0;
    for (var t = 0; t <= 10; t++) {
      var best = 0;
      for (j = 0; j < recall.length; j++) if (recall[j] >= t / 10 - 1e-12) best = Math.max(best, precision[j]);
      points.push(best); eleven += best;
    }
    eleven /= 11;
    var rows = hits.map(function (h, i) {
      return "| " + (i + 1) + " | " + (h ? "TP" : "FP") + " | " + dec(precision[i], 3) + " | " + dec(recall[i], 3) + " | " + dec(envelope[i], 3) + " |";
    });
    return {
      params: { hits: hits, n_gt: nGt },
      prompt: "某类共有 $" + nGt + "$ 个真实框。检测结果按置信度从高到低判为：" + hits.map(function (h) { return h ? "TP" : "FP"; }).join("、") +
        "。求 VOC 的全点插值 AP（2010 起）和 11 点插值 AP（VOC2007）。",
      answers: [approx("all_point", "全点 AP", all, 0.001, "三位小数，误差不超过 0.001"),
        approx("eleven_point", "11 点 AP", eleven, 0.001, "三位小数，误差不超过 0.001")],
      steps: [
        step("逐个累计：精度 $P = \\mathrm{TP} / \\text{已看的检测数}$，召回 $R = \\mathrm{TP} / " + nGt + "$。插值精度取“此处及之后的最大精度”（包络）："),
        table(["名次", "判定", "P", "R", "插值 P"], rows),
        step("全点 AP：召回每上升一段，乘以那一段的插值精度，求和：", "\\mathrm{AP} = " + terms.join(" + ") + " \\approx " + dec(all, 4)),
        step("11 点 AP：在 $R \\ge 0, 0.1, \\ldots, 1$ 处各取能达到的最大精度，取平均" +
          (recall[recall.length - 1] < 1 ? "（没召回到的点记 0：有 $" + (nGt - tp) + "$ 个真实框始终没被检出）" : "") + "：",
          "\\frac{1}{11} (" + points.map(function (x) { return dec(x, 3); }).join(" + ") + ") \\approx " + dec(eleven, 4))
      ]
    };
  };

  KINDS["softmax-cross-entropy"] = function (r, level) {
    var z = [], y = r.int(0, 2), i;
    for (i = 0; i < 3; i++) {
      z.push(level === 1 ? r.int(0, 3) : level === 2 ? r.int(-3, 5) : r.int(-50, 100) / 10);
    }
    if (level === 3 && r.chance(0.3)) { var shift = r.pick([100, 500, 1000]); z = z.map(function (v) { return Math.round((v + shift) * 10) / 10; }); }
    var m = Math.max.apply(null, z), e = z.map(function (v) { return Math.exp(v - m); });
    var total = e[0] + e[1] + e[2], p = e.map(function (v) { return v / total; });
    var loss = m + Math.log(total) - z[y], grad = p.map(function (v, j) { return v - (j === y ? 1 : 0); });
    var zs = z.map(function (v) { return dec(v, 1); });
    var shift = m < 0 ? " + " + dec(-m, 1) : " - " + dec(m, 1);
    var label = z[y] < 0 ? "(" + zs[y] + ")" : zs[y];
    return {
      params: { z: z, label: y },
      prompt: "三分类，logits $z = (" + zs.join(",\\ ") + ")$，真实类别是第 $" + (y + 1) + "$ 类。交叉熵损失 $L$ 是多少？$L$ 对三个 logit 的梯度各是多少？",
      answers: [approx("loss", "损失 L", loss, 0.005, "误差不超过 0.005")].concat(grad.map(function (g, j) {
        return approx("grad" + (j + 1), "∂L/∂z" + (j + 1), g, 0.005, "误差不超过 0.005");
      })),
      steps: [
        step("softmax 先减去最大 logit $" + dec(m, 1) + "$（结果不变，指数不会溢出）：",
          "p_i = \\frac{e^{z_i" + shift + "}}{\\sum_j e^{z_j" + shift + "}}, \\quad \\sum_j e^{z_j" + shift + "} = " + dec(total, 4),
          "p = (" + p.map(function (v) { return dec(v, 4); }).join(",\\ ") + ")"),
        step("交叉熵只取真实类的对数概率，用 log-sum-exp 写，$m$ 是最大 logit：",
          "L = -\\log p_{" + (y + 1) + "} = m + \\log \\sum_j e^{z_j - m} - z_{" + (y + 1) + "}",
          "= " + dec(m, 1) + " + \\log " + dec(total, 4) + " - " + label + " \\approx " + dec(loss, 4)),
        step("梯度是预测减标签（独热向量 $y$），真实类为负，其余为正，三项之和为 0：",
          "\\frac{\\partial L}{\\partial z} = p - y = (" + grad.map(function (v) { return dec(v, 4); }).join(",\\ ") + ")")
      ]
    };
  };

  KINDS["dropout"] = function (r, level) {
    var p, a, keepStyle = false;
    if (level === 1) { p = r.pick([0.5, 0.5, 0.2, 0.25]); a = r.int(1, 20); }
    else { p = r.pick([0.1, 0.2, 0.25, 0.3, 0.4, 0.5]); a = r.int(5, 60) / 10; keepStyle = level === 3; }
    var q = Math.round((1 - p) * 100) / 100, kept = a / (1 - p), mean = (1 - p) * a / (1 - p);
    return {
      params: { a: a, p: p },
      prompt: (keepStyle ? "TensorFlow 1 的写法 `tf.nn.dropout(x, keep_prob=" + dec(q, 2) + ")`" : "Inverted dropout，丢弃概率 $p = " + dec(p, 2) + "$") +
        "。某个神经元激活值为 $" + dec(a, 1) + "$。训练时它若被保留，输出多少？训练时输出的期望是多少？测试时输出多少？",
      answers: [approx("kept", "训练时被保留的输出", kept, 0.005, "误差不超过 0.005"),
        approx("train_mean", "训练时的期望", mean, 0.005, "误差不超过 0.005"),
        approx("test", "测试时的输出", a, 0.005, "误差不超过 0.005")],
      steps: [
        step(keepStyle ? "`keep_prob` 是保留概率，丢弃概率 $p = 1 - " + dec(q, 2) + " = " + dec(p, 2) + "$。PyTorch 的 `nn.Dropout(p)` 里的 $p$ 才是丢弃概率，别弄反。"
          : "Inverted dropout 在训练时把保留下来的值除以保留概率 $1 - p$，测试时原样通过。"),
        step("训练时被保留：", "\\frac{a}{1 - p} = \\frac{" + dec(a, 1) + "}{" + dec(1 - p, 2) + "} \\approx " + dec(kept, 4)),
        step("训练时的期望：以 $1 - p$ 的概率得到上面的值，否则为 0：",
          "(1 - p) \\cdot \\frac{a}{1 - p} + p \\cdot 0 = a = " + dec(a, 1)),
        step("测试时不丢弃、不缩放，输出 $" + dec(a, 1) + "$，和训练时的期望一致：这正是训练时放大的目的。" +
          "原始论文的写法反过来：训练时不缩放，测试时乘 $1 - p$。")
      ]
    };
  };

  /* Large models: shapes from real configurations at level 3 (config.json of each model) */
  var MODELS = [
    { name: "Llama-3-8B", d: 4096, h: 32, kv: 8, hd: 128, ff: 14336, L: 32 },
    { name: "Llama-3-70B", d: 8192, h: 64, kv: 8, hd: 128, ff: 28672, L: 80 },
    { name: "Llama-2-7B", d: 4096, h: 32, kv: 32, hd: 128, ff: 11008, L: 32 },
    { name: "Mistral-7B", d: 4096, h: 32, kv: 8, hd: 128, ff: 14336, L: 32 },
    { name: "Llama-3.2-1B", d: 2048, h: 32, kv: 8, hd: 64, ff: 8192, L: 16 },
    { name: "Llama-3.2-3B", d: 3072, h: 24, kv: 8, hd: 128, ff: 8192, L: 28 }
  ];

  function randomModel(r, level) {
    if (level === 3 && r.chance(0.5)) return r.pick(MODELS);
    var hd = level === 1 ? r.pick([16, 32, 64]) : r.pick([64, 128]);
    var h = level === 1 ? r.pick([2, 4, 8, 12]) : r.pick([8, 16, 24, 32, 40]);
    var kv = level === 1 ? h : r.pick([1, 2, 4, 8].filter(function (g) { return h % g === 0; }));
    var d = h * hd;
    var ff = level === 1 ? 4 * d : 256 * Math.ceil((8 * d / 3) * r.pick([1, 1.3, 1.5]) / 256);
    return { name: null, d: d, h: h, kv: kv, hd: hd, ff: ff, L: level === 1 ? r.int(1, 12) : r.pick([16, 24, 32, 40, 48]) };
  }

  function describe(c) {
    return (c.name ? c.name + "：" : "") + "$d_{\\mathrm{model}} = " + c.d + "$，$" + c.h + "$ 个查询头、$" + c.kv + "$ 个 KV 头，头维度 $" + c.hd + "$";
  }

  KINDS["transformer-block"] = function (r, level) {
    var gpt = level === 1 || (level === 2 && r.chance(0.3));
    var c = gpt ? (function () {
      var h = r.pick([2, 4, 6, 8, 12, 16]), hd = r.pick([16, 32, 64]);
      return { d: h * hd, h: h, kv: h, hd: hd, ff: r.pick([2, 4, 4]) * h * hd };
    })() : randomModel(r, level);
    var d = c.d, q = c.h * c.hd, kv = c.kv * c.hd, ff = c.ff;
    var attention = 2 * d * q + 2 * d * kv + (gpt ? q + 2 * kv + d : 0);
    var mlp = gpt ? 2 * d * ff + ff + d : 3 * d * ff;
    var norms = gpt ? 4 * d : 2 * d, total = attention + mlp + norms;
    var steps = [
      step("注意力：$W_Q$ 和 $W_O$ 各 $d \\times n_h d_h$，$W_K$、$W_V$ 各 $d \\times n_{kv} d_h$" + (gpt ? "，四个投影都带偏置" : "（无偏置）") + "：",
        "2 \\cdot " + d + " \\times " + q + " + 2 \\cdot " + d + " \\times " + kv + (gpt ? " + (" + q + " + 2 \\times " + kv + " + " + d + ")" : "") + " = " + int(attention)),
      step(gpt ? "MLP（GELU，两层，带偏置）：" : "MLP（SwiGLU：gate、up、down 三个矩阵，无偏置）：",
        gpt ? "2 \\cdot " + d + " \\times " + ff + " + " + ff + " + " + d + " = " + int(mlp) : "3 \\cdot " + d + " \\times " + ff + " = " + int(mlp)),
      step(gpt ? "两个 LayerNorm，各有增益和偏置：$4d = " + norms + "$。" : "两个 RMSNorm，各只有增益：$2d = " + norms + "$。"),
      step("合计：", int(attention) + " + " + int(mlp) + " + " + norms + " = " + int(total) + " \\approx " + big(total)),
      step("MLP 占 $" + dec(100 * mlp / total, 1) + "\\%$。" + (c.kv < c.h ? (c.kv === 1 ? "MQA：全部 $" + c.h + "$ 个查询头共用一组 K/V" : "GQA：每 $" + (c.h / c.kv) + "$ 个查询头共用一组 K/V") +
        "，K、V 投影各只有 Q 的 $1/" + (c.h / c.kv) + "$。" : ""))
    ];
    return {
      params: { d_model: d, n_heads: c.h, n_kv_heads: c.kv, head_dim: c.hd, d_ff: ff, mlp: gpt ? "gelu" : "swiglu", bias: gpt, norm: gpt ? "layernorm" : "rmsnorm" },
      prompt: (gpt ? "GPT-2 式的一个 Transformer 块：$d_{\\mathrm{model}} = " + d + "$，$" + c.h + "$ 个头（MHA），MLP 中间维度 $" + ff + "$（GELU），所有线性层带偏置，LayerNorm。"
        : "Llama 式的一个解码器块：" + describe(c) + "，SwiGLU 中间维度 $" + ff + "$，线性层无偏置，RMSNorm。") +
        "注意力、MLP 各有多少参数？整个块有多少参数？",
      answers: [exact("attention", "注意力参数量", attention), exact("mlp", "MLP 参数量", mlp), exact("total", "整个块的参数量", total)],
      steps: steps
    };
  };

  var DTYPES = [{ name: "bf16", bytes: 2 }, { name: "fp8", bytes: 1 }, { name: "fp32", bytes: 4 }];

  KINDS["kv-cache"] = function (r, level) {
    var c = randomModel(r, level === 1 ? 2 : level);
    var dtype = level === 1 ? DTYPES[0] : r.pick([DTYPES[0], DTYPES[0], DTYPES[1], DTYPES[2]]);
    var seq = level === 1 ? r.pick([1024, 2048, 4096]) : r.pick([2048, 4096, 8192, 32768, 131072]);
    var batch = level === 1 ? 1 : r.pick([1, 4, 8, 16, 32, 64]);
    var perToken = 2 * c.L * c.kv * c.hd * dtype.bytes, total = perToken * seq * batch;
    var gib = total / Math.pow(2, 30);
    return {
      params: { n_layers: c.L, n_kv_heads: c.kv, head_dim: c.hd, seq_len: seq, batch: batch, bytes_per_elem: dtype.bytes },
      prompt: (c.name ? c.name + "：" : "") + "$" + c.L + "$ 层，$" + c.kv + "$ 个 KV 头，头维度 $" + c.hd + "$，KV cache 用 " + dtype.name +
        "。批量 $" + batch + "$、每条序列 $" + int(seq) + "$ 个 token 时，KV cache 一共占多少 GiB？每个 token 占多少 KiB？",
      answers: [relative("gib", "总量", gib, 0.005, "GiB"), relative("kib_per_token", "每 token", perToken / 1024, 0.005, "KiB")],
      steps: [
        step("每个 token 在每层存一个 K 和一个 V，各 $n_{kv} \\times d_h$ 个数" + (c.kv < c.h ? "（GQA 只存 KV 头，不是全部 " + c.h + " 个查询头）" : "") + "：",
          "2 \\times " + c.L + " \\times " + c.kv + " \\times " + c.hd + " \\times " + dtype.bytes + "\\ \\text{B} = " + int(perToken) + "\\ \\text{B} = " + dec(perToken / 1024, 2) + "\\ \\text{KiB}"),
        step("乘以 token 总数 $" + batch + " \\times " + int(seq) + "$：",
          int(perToken) + " \\times " + int(seq * batch) + " = " + int(total) + "\\ \\text{B} \\approx " + dec(gib, 3) + "\\ \\text{GiB}"),
        step("注意单位：$1\\ \\text{GiB} = 2^{30}$ 字节，比 $10^9$ 字节的 GB 大 " + dec(100 * (Math.pow(2, 30) / 1e9 - 1), 1) + "%。KV cache 随批量和序列长度线性增长，长上下文时常比权重还大。")
      ]
    };
  };

  var TARGETS = ["q", "k", "v", "o", "gate", "up", "down"];

  KINDS["lora"] = function (r, level) {
    var c = randomModel(r, level === 1 ? 1 : level);
    var targets = level === 1 ? ["q", "v"] : level === 2 ? r.pick([["q", "v"], ["q", "k", "v", "o"], ["q", "k", "v"], ["o", "down"]]) : r.pick([["q", "k", "v", "o"], TARGETS, ["gate", "up", "down"]]);
    var rank = level === 1 ? r.pick([1, 2, 4, 8]) : r.pick([8, 16, 32, 64]);
    var q = c.h * c.hd, kv = c.kv * c.hd;
    var shape = { q: [c.d, q], k: [c.d, kv], v: [c.d, kv], o: [q, c.d], gate: [c.d, c.ff], up: [c.d, c.ff], down: [c.ff, c.d] };
    var shapes = targets.map(function (t) { return shape[t]; });
    var perLayer = 0, terms = [];
    shapes.forEach(function (s, i) { perLayer += rank * (s[0] + s[1]); terms.push("(" + s[0] + " + " + s[1] + ")"); });
    var total = c.L * perLayer;
    return {
      params: { shapes: shapes, r: rank, n_layers: c.L },
      prompt: describe(c) + (targets.indexOf("gate") >= 0 || targets.indexOf("up") >= 0 || targets.indexOf("down") >= 0 ? "，MLP 中间维度 $" + c.ff + "$" : "") +
        "，共 $" + c.L + "$ 层。对每层的 " + targets.map(function (t) { return "`" + t + "_proj`"; }).join("、") + " 加秩 $r = " + rank + "$ 的 LoRA。可训练参数有多少？",
      answers: [exact("params", "可训练参数量", total)],
      steps: [
        step("LoRA 给 $d_{\\mathrm{in}} \\times d_{\\mathrm{out}}$ 的权重加 $\\Delta W = BA$，$A$ 是 $r \\times d_{\\mathrm{in}}$，$B$ 是 $d_{\\mathrm{out}} \\times r$，每个矩阵 $r(d_{\\mathrm{in}} + d_{\\mathrm{out}})$ 个参数。" +
          (kv < q && (targets.indexOf("k") >= 0 || targets.indexOf("v") >= 0) ? "GQA 下 K、V 投影的输出只有 $" + kv + "$ 维。" : "")),
        step("每层：", "r \\sum (d_{\\mathrm{in}} + d_{\\mathrm{out}}) = " + rank + " \\times [" + terms.join(" + ") + "] = " + int(perLayer)),
        step("乘以层数：", int(perLayer) + " \\times " + c.L + " = " + int(total) + " \\approx " + big(total)),
        step("偏置、嵌入和归一化层都冻结，不计入。")
      ]
    };
  };

  // Bytes per parameter of mixed-precision Adam: bf16 weights and gradients; fp32 master
  // weights, m and v (formulas.ADAM_BYTES)
  var ADAM = { weights: 2, grads: 2, optimizer: 12 };

  KINDS["training-memory"] = function (r, level) {
    var billions, stage, gpus;
    if (level === 1) { billions = r.pick([0.1, 0.125, 0.35, 0.5, 0.75, 1, 1.3, 1.5, 2, 3, 6.7, 7]); stage = 0; gpus = 1; }
    else if (level === 2) { billions = r.pick([0.5, 1, 1.5, 3, 6.7, 7, 8, 13]); stage = r.pick([1, 2]); gpus = r.pick([2, 4, 8, 16]); }
    else { billions = r.pick([7, 8, 13, 34, 70, 405]); stage = r.int(0, 3); gpus = r.pick([8, 16, 64, 256]); }
    var n = billions * 1e9;
    var sharded = { weights: stage >= 3, grads: stage >= 2, optimizer: stage >= 1 };
    var parts = {};
    Object.keys(ADAM).forEach(function (name) { parts[name] = ADAM[name] * n / (sharded[name] ? gpus : 1); });
    var total = parts.weights + parts.grads + parts.optimizer;
    function gb(x) { return dec(x / 1e9, 2); }
    var where = stage === 0 ? "不用 ZeRO（每张卡存全部）" : "ZeRO-" + stage + "，数据并行 $" + gpus + "$ 张卡";
    return {
      params: { n_params: n, zero_stage: stage, n_gpus: gpus },
      prompt: "用混合精度 Adam 训练 $" + dec(billions, 1) + "$B 参数的模型（bf16 权重和梯度，fp32 主权重和 Adam 的 $m$、$v$），" + where +
        "。不算激活和临时缓冲，每张卡上权重、梯度和优化器状态一共占多少 GB（$10^9$ 字节）？",
      answers: [relative("total_gb", "每卡显存", total / 1e9, 0.005, "GB")],
      steps: [
        step("每个参数：bf16 权重 2 字节、bf16 梯度 2 字节；优化器状态 12 字节（fp32 主权重、$m$、$v$ 各 4）。共 16 字节，ZeRO 论文记作 $2\\Psi + 2\\Psi + K\\Psi$，$K = 12$。"),
        step((stage === 0 ? "不切分，$\\Psi = " + dec(billions, 3) + " \\times 10^9$：" : "ZeRO-" + stage + " 把" +
          ["", "优化器状态", "优化器状态和梯度", "优化器状态、梯度和权重"][stage] + "切成 $N_d = " + gpus + "$ 份，每卡存一份，$\\Psi = " +
          dec(billions, 3) + " \\times 10^9$："),
          ["weights", "grads", "optimizer"].map(function (name) {
            var bytes = ADAM[name];
            return sharded[name] ? "\\frac{" + bytes + "\\Psi}{N_d}" : bytes + "\\Psi";
          }).join(" + ") + " = " + gb(parts.weights) + " + " + gb(parts.grads) + " + " + gb(parts.optimizer) + " = " + gb(total) + "\\ \\text{GB}"),
        step("激活另算，它随批量和序列长度增长（见 T35）。" + (stage > 0 ? "ZeRO-1、2 的通信量和普通数据并行相同，ZeRO-3 多一次参数的 all-gather，约为 1.5 倍。" : ""))
      ]
    };
  };

  /* The page --------------------------------------------------------------------------- */

  function problem(kind, level, seed) {
    if (!KINDS[kind]) throw new Error("unknown drill kind " + kind);
    var made = KINDS[kind](rng(seed), level);
    made.kind = kind; made.level = level; made.seed = seed;
    return made;
  }

  var S = window.HandbookStudy;
  var L = {};
  var ui = null;

  function freshSeed() {
    var buffer = new Uint32Array(1);
    window.crypto.getRandomValues(buffer);
    return buffer[0] % 1000000000 + 1;
  }

  function chosenLevel() {
    var input = ui.controls.querySelector("input[name=level]:checked");
    return input ? Number(input.value) : 1;
  }

  /* The problem on screen is in the URL: reload or share it and the same problem comes back */
  function remember(p) {
    var query = "?kind=" + p.kind + "&level=" + p.level + "&seed=" + p.seed;
    if (location.search !== query) history.replaceState(history.state, "", location.pathname + query);
    ui.link.href = query;
  }

  function field(answer, i) {
    var id = "calc-answer-" + i;
    return '<div class="calc-field"><label for="' + id + '">' + escapeHtml(answer.label) + (answer.unit ? "（" + answer.unit + "）" : "") + "</label>" +
      '<input id="' + id + '" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="' + id + '-hint">' +
      '<span class="calc-verdict" aria-hidden="true"></span><span id="' + id + '-hint" class="calc-hint">' + escapeHtml(answer.hint) + "</span></div>";
  }

  function show(p, byUser) {
    ui.problem = p; ui.recorded = false; ui.solved = false;
    remember(p);
    ui.kind.value = p.kind;
    ui.controls.querySelectorAll("input[name=level]").forEach(function (input) { input.checked = Number(input.value) === p.level; });
    var related = document.querySelector('template.calc-related[data-kind="' + p.kind + '"]');
    ui.related.replaceChildren(related ? related.content.cloneNode(true) : "");
    ui.prompt.innerHTML = "<p>" + inline(p.prompt) + "</p>";
    ui.fields.innerHTML = p.answers.map(field).join("");
    ui.feedback.textContent = "";
    ui.solution.hidden = true;
    ui.solution.innerHTML = "<h2>" + escapeHtml(L.solution) + "</h2>" + p.steps.join("") +
      '<p class="calc-final">' + escapeHtml(L.answer) + "：" + p.answers.map(function (a) {
        return escapeHtml(a.label) + " = " + (a.tol.abs === 0 ? int(a.value) : dec(a.value, 4)) + (a.unit ? " " + a.unit : "");
      }).join("；") + "</p>";
    ui.show.disabled = false;
    revealWhenMathFontReady();
    refreshStats();
    if (byUser) ui.fields.querySelector("input").focus();
  }

  /* The card stays hidden until the math font is in (at most half a second): formulas drawn
     in a fallback font and redrawn in it would move the buttons under the reader (a layout shift) */
  function revealWhenMathFontReady() {
    var box = ui.problemBox;
    if (!box.hasAttribute("data-pending")) return;
    function reveal() { box.removeAttribute("data-pending"); }
    if (!document.fonts || !document.fonts.load) { reveal(); return; }
    document.fonts.load('1em "Handbook Math"', "∑").then(reveal, reveal);
    setTimeout(reveal, 500);
  }

  function record(correct) {
    if (ui.recorded) return;
    ui.recorded = true;
    if (S) S.recordCalc(ui.problem.kind, correct);
    refreshStats();
  }

  function refreshStats() {
    var stats = S ? S.calcStats()[ui.problem.kind] : null;
    ui.stats.textContent = stats ? S.format(L.kindStats, {
      ok: stats.ok, n: stats.n, streak: stats.streak, best: stats.best
    }) : L.noStats;
  }

  function check() {
    if (ui.solved) { next(true); return; }
    var inputs = ui.fields.querySelectorAll("input"), wrong = 0, blank = 0;
    ui.problem.answers.forEach(function (answer, i) {
      var text = inputs[i].value;
      var ok = within(answer, parseAnswer(text));
      if (!text.trim()) blank += 1;
      if (!ok) wrong += 1;
      inputs[i].setAttribute("aria-invalid", ok ? "false" : "true");
      inputs[i].parentNode.querySelector(".calc-verdict").textContent = text.trim() ? (ok ? "✓" : "✗") : "";
    });
    if (blank === inputs.length) { ui.feedback.textContent = L.empty; return; }
    record(wrong === 0);
    ui.solved = wrong === 0;
    ui.feedback.textContent = wrong === 0 ? L.correct : S.format(L.wrong, { wrong: wrong, total: inputs.length });
  }

  function reveal() {
    if (!ui || ui.solution.hidden === false) return;
    record(false);
    ui.solved = true;
    ui.solution.hidden = false;
    ui.show.disabled = true;
  }

  function next(byUser) {
    show(problem(ui.kind.value, chosenLevel(), freshSeed()), byUser);
  }

  function setup() {
    var root = document.getElementById("calc-drill");
    if (!root) { ui = null; return; }
    L = JSON.parse(document.getElementById("__calc").textContent);
    ui = {
      root: root, controls: root.querySelector(".calc-controls"), kind: root.querySelector("select[name=kind]"),
      problemBox: root.querySelector(".calc-problem"),
      related: root.querySelector(".calc-related-links"), prompt: root.querySelector(".calc-prompt"),
      form: root.querySelector(".calc-answer"), fields: root.querySelector(".calc-fields"),
      feedback: root.querySelector(".calc-feedback"), solution: root.querySelector(".calc-solution"),
      show: root.querySelector(".calc-show"), stats: root.querySelector(".calc-stats"), link: root.querySelector(".calc-link")
    };
    var query = new URLSearchParams(location.search);
    var kind = query.get("kind"), level = Number(query.get("level")), seed = Number(query.get("seed"));
    if (KINDS[kind] && [1, 2, 3].indexOf(level) >= 0 && seed >= 1 && seed === Math.floor(seed)) show(problem(kind, level, seed), false);
    else next(false);
  }

  if (!window.HandbookCalcBound) {
    window.HandbookCalcBound = true;
    document.addEventListener("submit", function (event) {
      if (!ui || !ui.root.isConnected || event.target !== ui.form) return;
      event.preventDefault();
      check();
    });
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target || !ui || !ui.root.isConnected) return;
      if (target.matches(".calc-show")) reveal();
      else if (target.matches(".calc-next")) next(true);
    });
    document.addEventListener("change", function (event) {
      if (ui && ui.root.isConnected && ui.controls.contains(event.target)) next(false);
    });
    document.addEventListener("keydown", function (event) {
      if (!ui || !ui.root.isConnected || !S || S.ignoreKey(event)) return;
      var active = document.activeElement;
      if (event.key === " " && !(active && /^(BUTTON|A|SUMMARY|SELECT)$/.test(active.tagName))) { reveal(); event.preventDefault(); }
      else if (event.key === "j") { next(true); event.preventDefault(); }
    });
  }

  window.HandbookCalc = { kinds: Object.keys(KINDS), problem: problem, parseAnswer: parseAnswer, within: within };
  setup();
})();
