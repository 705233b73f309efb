#!/usr/bin/env python3
"""Parity fixtures for textprep's CountVectorizer and the `ngrams` app, made with the real scikit-learn.

Writes (paths relative to the repository root):
  fixtures/parity/countvectorizer/cases.json     feature names, vocabulary_ order and CSR arrays per case
  fixtures/parity/countvectorizer/errors.json    the ValueError messages sklearn raises for bad settings
  fixtures/parity/countvectorizer/unicode.json   Python's `\\w`, `\\s`, str.lower() and repr() on tricky input
  fixtures/parity/countvectorizer/numpy_print.json  str(ndarray) of integer matrices (padding, wrapping, summary)
  fixtures/parity/countvectorizer/lesson_output.txt the lesson's two models exactly as Python prints them
  crates/textprep/src/vectorize/pyword_table.rs  code-point ranges of Python's `\\w` (generated Rust source)
  crates/textprep/src/vectorize/pyprintable_table.rs  code-point ranges of str.isprintable() (generated Rust source)
Every JSON file records the Python, scikit-learn and numpy versions (and Python's Unicode database version).

Environment: python3 -m venv venv && venv/bin/pip install scikit-learn==1.9.1 numpy
(the committed fixtures were made with /work/venv: Python 3.11.7, scikit-learn 1.9.1, numpy 2.4.6).
Run from the repository root:  venv/bin/python tools/sklearn_countvectorizer.py
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "parity" / "countvectorizer"
MAX_CP = 0x10FFFF

VERSIONS = {
    "python": sys.version.split()[0],
    "unicodedata": unicodedata.unidata_version,
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
}

# An original corpus written for these fixtures. It mixes Cyrillic (with ё), Latin, digits, underscores,
# apostrophes, hyphens, a decomposed й (и + U+0306), ², ½, tabs, NBSP, U+2028, U+3000 and newlines.
CORPUS = [
    "Ёжик шёл по лесу, а ёлки шумели.\tЁж   не спешил.",
    "Он не делает работу; не он делает работу!",
    "rock'n'roll и hip-hop — это music_2024, а не шум.",
    "Мой\u00a0дом\u2028стоит у реки: x² + y² = z², ½ пирога и 3½ яблока.",
    "Второй\u0306 вариант: и\u0306од, йод, ЙОД и Йод — одно ли слово?",
    "snake_case and CamelCase and  UPPER_CASE words, 42 apples and 7 pears",
    "  \n  ",
    "Ёлки-палки, ёлки!\r\nЛес\tи\u3000поле\u2029снова лес, лес, лес.",
    "Σίσυφος ΟΔΟΣ café naïve Straße İstanbul",
    "a b c d e f g — одиночные буквы не токены, но ab cd да",
]

TRANSFORM_DOCS = [
    "ёлки и лес, лес и поле",
    "никаких знакомых слов здесь нет?",
    "",
    "Он делает работу, а не шум: hip hop music_2024",
]


def csr_case(name, params, fit_docs, transform_docs=None):
    vec = CountVectorizer(**params)
    X = vec.fit_transform(fit_docs)
    case = {
        "name": name,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
        "feature_names": [str(t) for t in vec.get_feature_names_out()],
        "vocabulary_order": [[str(t), int(i)] for t, i in vec.vocabulary_.items()],
        "fit": csr_json(X),
    }
    if transform_docs is not None:
        case["transform"] = csr_json(vec.transform(transform_docs))
    return case


def csr_json(X):
    # fit_transform leaves each row's columns in first-seen order (it renumbers the columns after sort_indices),
    # transform returns them sorted. We store the canonical form (sorted within each row): the same matrix.
    X = X.tocsr().copy()
    was_sorted = all(
        all(a < b for a, b in zip(row, row[1:]))
        for row in (X.indices[X.indptr[r]:X.indptr[r + 1]] for r in range(X.shape[0])))
    X.sort_indices()
    return {
        "sklearn_indices_were_sorted": was_sorted,
        "shape": [int(X.shape[0]), int(X.shape[1])],
        "indptr": [int(v) for v in X.indptr],
        "indices": [int(v) for v in X.indices],
        "data": [int(v) for v in X.data],
    }


def assert_no_tie_at_cutoff(params, docs):
    """sklearn picks max_features with numpy's unstable argsort: ties at the cutoff are not reproducible."""
    probe = CountVectorizer(**{k: v for k, v in params.items() if k != "max_features"})
    X = probe.fit_transform(docs)
    if params.get("binary"):
        X.data[:] = 1
    totals = sorted(np.asarray(X.sum(axis=0)).ravel().tolist(), reverse=True)
    k = params["max_features"]
    assert k >= len(totals) or totals[k - 1] != totals[k], f"tie at the max_features cutoff: {params}"


def cases():
    out = []
    specs = [
        ("word_1_1", {}),
        ("word_1_2", {"ngram_range": (1, 2)}),
        ("word_2_3", {"ngram_range": (2, 3)}),
        ("char_2_4", {"analyzer": "char", "ngram_range": (2, 4)}),
        ("char_1_1", {"analyzer": "char"}),
        ("char_wb_2_4", {"analyzer": "char_wb", "ngram_range": (2, 4)}),
        ("char_wb_1_3", {"analyzer": "char_wb", "ngram_range": (1, 3)}),
        ("char_wb_5_6", {"analyzer": "char_wb", "ngram_range": (5, 6)}),
        ("no_lowercase", {"lowercase": False, "ngram_range": (1, 2)}),
        ("min_df_count", {"min_df": 2}),
        ("min_df_fraction", {"min_df": 0.25, "ngram_range": (1, 2)}),
        ("max_df_fraction", {"max_df": 0.2}),
        ("max_df_count", {"max_df": 1, "analyzer": "char_wb", "ngram_range": (2, 3)}),
        ("min_max_df", {"min_df": 2, "max_df": 0.5, "analyzer": "char", "ngram_range": (1, 2)}),
        ("max_features", {"max_features": 5}),
        ("max_features_bigrams", {"max_features": 5, "ngram_range": (1, 2)}),
        ("max_features_binary", {"max_features": 2, "binary": True}),
        ("binary", {"binary": True, "ngram_range": (1, 2)}),
        ("binary_char", {"binary": True, "analyzer": "char_wb", "ngram_range": (3, 3)}),
        ("stop_words", {"stop_words": ["не", "и", "а", "and", "лес"], "ngram_range": (1, 2)}),
        ("stop_words_2_2", {"stop_words": ["не", "он"], "ngram_range": (2, 2)}),
        ("fixed_vocabulary", {"vocabulary": ["лес", "ёлки", "он не", "работу", "zzz", "hip", "делает"],
                              "ngram_range": (1, 2)}),
    ]
    for name, params in specs:
        if "max_features" in params:
            assert_no_tie_at_cutoff(params, CORPUS)
        out.append(csr_case(name, params, CORPUS, TRANSFORM_DOCS))
    return out


def error_message(params, docs):
    try:
        CountVectorizer(**params).fit_transform(docs)
    except ValueError as err:
        return str(err)
    raise AssertionError(f"sklearn accepted {params}")


def errors():
    specs = [
        ("ngram_range_reversed", {"ngram_range": (2, 1)}, CORPUS),
        ("max_df_below_min_df", {"min_df": 5, "max_df": 3}, CORPUS),
        ("max_df_fraction_below_min_df", {"min_df": 0.5, "max_df": 0.3}, CORPUS),
        ("no_terms_remain", {"min_df": 9}, CORPUS),
        ("empty_vocabulary_stop_words", {"stop_words": ["он", "не"]}, ["он не", "не он, а"]),
        ("empty_vocabulary_no_tokens", {}, ["", "a b c", "!!"]),
    ]
    return [{"name": n, "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()},
             "docs": d, "message": error_message(p, d)} for n, p, d in specs]


def ranges(predicate):
    out, start = [], None
    for cp in range(MAX_CP + 2):
        inside = cp <= MAX_CP and not (0xD800 <= cp <= 0xDFFF) and predicate(chr(cp))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            out.append([start, cp - 1])
            start = None
    return out


WORD = re.compile(r"\w")
SPACE = re.compile(r"\s")

TRICKY = "aZ09_ ²³¹½¼¾ⅫⅧ①٣०๓\u0306\u0301\u0483\u20dd\u200c\u200d\u00b7·ʹˊ\u02bcºª" \
         "ёЁйЙ\u00a0\u2028\u2029\u3000\u1680\u180e\u200b\ufeff\x1c\x1f\x85\x0b\x0c-'’–—…" \
         "一二〇〡々〻ᛮ𝟘𝐀𐍁🙂"

REPR_SAMPLES = [
    "он", "it's", 'say "hi"', "both ' and \"", "back\\slash", "tab\there", "new\nline", "cr\r",
    "nul\x00", "bell\x07", "del\x7f", "nbsp\u00a0", "ls\u2028", "zwsp\u200b", "bom\ufeff", "soft\u00ad",
    "comb\u0306", "ё", "emoji🙂", "private\ue000", "unassigned\U000e0080", "c1\x85", "é", "ideo\u3000x",
    "", "'", '"', "'\"", "\\'", "x\U0010ffff",
]


def unicode_tables():
    lower = []
    for cp in range(MAX_CP + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if c.lower() != c:
            lower.append([cp, c.lower()])
    sigma_samples = ["ΟΔΟΣ", "ΟΔΟΣ.", "Σ", "ΑΣ'Β", "ΑΣ'", "ΣΑ", "Α Σ", "ΑΣ\u0301", "ΑΣ\u0301Β", "İI", "ẞ"]
    return {
        "versions": VERSIONS,
        "word_ranges": ranges(lambda c: WORD.match(c) is not None),
        "space_ranges": ranges(lambda c: SPACE.match(c) is not None),
        "split_is_space": ranges(lambda c: len(("a" + c + "b").split()) == 2),
        "printable_ranges": ranges(str.isprintable),
        "tricky": [[ord(c), WORD.match(c) is not None, c.isalnum()] for c in TRICKY],
        "lower_map": lower,
        "lower_samples": [[s, s.lower()] for s in sigma_samples],
        "repr_samples": [[s, repr(s)] for s in REPR_SAMPLES],
        "assigned_ranges": ranges(lambda c: unicodedata.category(c) != "Cn"),
    }


def numpy_prints():
    rng = np.random.default_rng(7)
    mats = [
        np.array([[1, 1, 1, 1], [1, 1, 1, 1]]),
        np.array([[0, 12, 3], [105, 0, 7], [1, 2, 3]]),
        np.array([[5]]),
        rng.integers(0, 3, size=(2, 40)),
        rng.integers(0, 1500, size=(3, 30)),
        rng.integers(0, 9, size=(40, 30)),
        rng.integers(0, 20, size=(2, 600)),
        rng.integers(0, 4, size=(1001, 1)),
        np.zeros((3, 0), dtype=np.int64),
    ]
    return {"versions": VERSIONS,
            "matrices": [{"shape": list(m.shape), "values": m.astype(np.int64).ravel().tolist(), "printed": str(m)}
                         for m in mats]}


def lesson_output():
    texts = ["он не делает работу", "не он делает работу"]
    lines = []
    for params in ({}, {"ngram_range": (1, 2)}):
        vec = CountVectorizer(**params)
        X = vec.fit_transform(texts)
        lines.append(str(X.toarray()))
        lines.append(str(vec.vocabulary_))
    return "\n".join(lines) + "\n"


def rust_ranges(name, doc, rs):
    body = "\n".join(f"    ({lo:#07x}, {hi:#07x})," for lo, hi in rs)
    return (f"//! Generated by tools/sklearn_countvectorizer.py from Python {VERSIONS['python']} "
            f"(Unicode {VERSIONS['unicodedata']}). Do not edit.\n\n"
            f"/// {doc}\n#[rustfmt::skip]\npub(crate) const {name}: &[(u32, u32)] = &[\n{body}\n];\n")


def dump(path, value):
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    uni = unicode_tables()
    dump(OUT / "cases.json", {"versions": VERSIONS, "corpus": CORPUS, "transform_docs": TRANSFORM_DOCS,
                              "cases": cases()})
    dump(OUT / "errors.json", {"versions": VERSIONS, "errors": errors()})
    dump(OUT / "unicode.json", uni)
    dump(OUT / "numpy_print.json", numpy_prints())
    (OUT / "lesson_output.txt").write_text(lesson_output(), encoding="utf-8")
    (ROOT / "crates/textprep/src/vectorize").mkdir(parents=True, exist_ok=True)
    (ROOT / "crates/textprep/src/vectorize/pyword_table.rs").write_text(rust_ranges(
        "WORD_RANGES", "Inclusive code-point ranges that Python's `re` matches with `\\w` (str patterns).",
        uni["word_ranges"]), encoding="utf-8")
    (ROOT / "crates/textprep/src/vectorize/pyprintable_table.rs").write_text(rust_ranges(
        "PRINTABLE_RANGES", "Inclusive code-point ranges for which Python's `str.isprintable()` is true.",
        uni["printable_ranges"]), encoding="utf-8")
    print("written", OUT, VERSIONS)


if __name__ == "__main__":
    main()
