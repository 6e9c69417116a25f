"""Independent oracles for notebooks/tokenization.ipynb (T39).

The notebook trains BPE, encodes with WordPiece and segments with a Unigram model, all from scratch in
plain Python. These tests re-run the same inputs (the corpora and vocabularies typed in the notebook's
code cells, read here with `ast`) through Hugging Face `tokenizers` (Rust implementations of BpeTrainer,
ByteLevel, WordPiece and Unigram) and build the Llama embeddings with `transformers` on the meta device.

What is compared, and why it is a fair comparison:
- BPE merge tables entry by entry, ties included. `tokenizers`' BpeTrainer breaks a tie in pair count by
  the smaller pair of symbol ids (base symbols numbered by code point, ByteLevel's base symbols by the
  code point of GPT-2's byte-to-character map, merged symbols in creation order); the notebook states and
  implements the same rule, so the tables must agree exactly. Where only counts decided (no tie), the
  agreement checks the counting; at the ties it checks the rule.
- Token counts of held-out sentences after k merges: checks HF's encoder (lowest-rank pair first)
  against the notebook's (apply merges in training order).
- WordPiece: only the encoder (greedy longest match first). HF's WordPieceTrainer delegates to the BPE
  trainer (frequency, not the f(ab)/(f(a)f(b)) score), so it is no oracle for the notebook's scoring.
- Unigram: Viterbi segmentation with the notebook's log-probabilities.
"""

from __future__ import annotations

import ast
import json
import math
import re

import pytest

from conftest import ROOT, notebook_results

tokenizers = pytest.importorskip("tokenizers")
from tokenizers import Tokenizer, models, pre_tokenizers, trainers  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "tokenization.ipynb"


@pytest.fixture(scope="module")
def r() -> dict:
    return notebook_results("tokenization")


@pytest.fixture(scope="module")
def literals() -> dict:
    """Module-level NAME = <literal> assignments in the notebook's code cells (its typed-in inputs)."""
    found = {}
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return found


def gpt2_byte_decoder() -> dict[str, int]:
    """openai/gpt-2 src/encoder.py bytes_to_unicode, inverted: printable character -> byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def merges_of(tok: Tokenizer) -> list[tuple[str, str]]:
    raw = json.loads(tok.to_str())["model"]["merges"]
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in raw]


def train_byte_level(lines, vocab_size) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False, special_tokens=[])
    tok.train_from_iterator(lines, trainer=trainer)
    return tok


def table(published: str) -> dict[int, int]:
    """'0:63 50:46 ...' -> {0: 63, 50: 46, ...} (merges -> tokens)."""
    return {int(k): int(v) for k, v in (item.split(":") for item in published.split())}


def zh_en_lines(corpus: str):
    lines = corpus.split("\n")
    zh = [ln for ln in lines if re.search(r"[\u4e00-\u9fff]", ln)]
    return lines, zh, [ln for ln in lines if ln not in zh]


# BPE on Sennrich et al.'s toy corpus ---------------------------------------------------------------

def test_character_bpe_merge_table_and_new_word(r, literals):
    words = literals["TOY_WORDS"]
    alphabet = sorted({ch for w in words for ch in w})
    lines = [w for w, c in words.items() for _ in range(c)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.BpeTrainer(vocab_size=len(alphabet) + len(r["toy_merges"].split()), show_progress=False, special_tokens=[])
    tok.train_from_iterator(lines, trainer=trainer)
    assert [f"{a}+{b}" for a, b in merges_of(tok)] == r["toy_merges"].split()
    assert " ".join(tok.encode("lowest").tokens) == r["toy_new_word_tokens"] == "low est"


# Byte-level BPE on the mixed Chinese/English corpus -----------------------------------------------

def test_bytelevel_pretokenizer_counts_three_bytes_per_chinese_character(r, literals):
    pieces = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(literals["ZH_SAMPLE"])
    n_bytes = sum(len(p) for p, _ in pieces)  # one printable character per byte
    assert n_bytes == r["zh_sample_bytes"] == 3 * r["zh_sample_chars"] == 3 * len(literals["ZH_SAMPLE"])
    assert len(literals["ZH_SAMPLE"].encode("utf-8")) == n_bytes


def test_bytelevel_bpe_merge_table_matches(r, literals):
    lines, _, _ = zh_en_lines(literals["CORPUS"])
    expected = r["byte_merges_hex_first40"].split()
    tok = train_byte_level(lines, 2**8 + len(expected))
    decode = gpt2_byte_decoder()
    got = [bytes(decode[c] for c in a).hex() + "+" + bytes(decode[c] for c in b).hex() for a, b in merges_of(tok)]
    assert got == expected


def test_bytelevel_bpe_runs_out_of_pairs_after_the_same_number_of_merges(r, literals):
    lines, _, _ = zh_en_lines(literals["CORPUS"])
    tok = train_byte_level(lines, 10_000)
    assert len(merges_of(tok)) == r["byte_total_merges"]
    assert tok.get_vocab_size() == 2**8 + r["byte_total_merges"]


@pytest.mark.parametrize("k", [0, 50, 100, 200, 400])
def test_token_counts_after_k_merges(r, literals, k):
    lines, zh, en = zh_en_lines(literals["CORPUS"])
    tok = train_byte_level(lines, 2**8 + k)
    assert len(tok.encode(literals["ZH_SAMPLE"]).ids) == table(r["zh_sample_tokens"])[k]
    assert len(tok.encode(literals["EN_SAMPLE"]).ids) == table(r["en_sample_tokens"])[k]
    if k == 100:
        for key, part in ((f"zh_tpc_{k}", zh), (f"en_tpc_{k}", en)):
            tpc = sum(len(tok.encode(ln).ids) for ln in part) / sum(len(ln) for ln in part)
            assert math.isclose(tpc, r[key], abs_tol=5e-5)


# WordPiece encoding and Unigram segmentation ------------------------------------------------------

def test_wordpiece_longest_match_first(r, literals):
    vocab = {piece: i for i, piece in enumerate(literals["WP_VOCAB"])}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    expected = r["wp_encodings"].split(" | ")
    assert len(expected) == len(literals["WP_WORDS"])
    for word, pieces in zip(literals["WP_WORDS"], expected):
        assert " ".join(tok.encode(word).tokens) == pieces, word


def test_unigram_viterbi(r, literals):
    counts = literals["UNIGRAM_COUNTS"]
    total = sum(counts.values())
    vocab = [("<unk>", 0.0)] + [(piece, math.log(c / total)) for piece, c in counts.items()]
    tok = Tokenizer(models.Unigram(vocab, 0, False))
    expected = r["unigram_viterbi"].split(" | ")
    assert len(expected) == len(literals["UNIGRAM_WORDS"])
    for word, pieces in zip(literals["UNIGRAM_WORDS"], expected):
        assert " ".join(tok.encode(word).tokens) == pieces, word


# Embedding parameters (transformers on the meta device) ------------------------------------------

@pytest.mark.parametrize("vocab, key_one, key_pair", [
    (32000, "llama2_7b_embedding", "llama2_7b_embedding_pair"),  # meta-llama/Llama-2-7b-hf config.json
    (128256, None, "llama3_8b_embedding_pair"),                   # meta-llama/Meta-Llama-3-8B config.json
])
def test_embedding_parameters(r, vocab, key_one, key_pair):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    cfg = transformers.LlamaConfig(vocab_size=vocab, hidden_size=4096, intermediate_size=128, num_hidden_layers=1,
                                   num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=False)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(cfg)
    n_in = model.get_input_embeddings().weight.numel()
    n_out = model.get_output_embeddings().weight.numel()
    if key_one:
        assert n_in == r[key_one]
    assert n_in + n_out == r[key_pair]
    if vocab == 128256:
        assert n_in == notebook_results("transformer-parameter-counts")["llama3_8b_embedding"]
        assert r["vocab_extra_params"] == n_in + n_out - r["llama2_7b_embedding_pair"]
