#!/usr/bin/env python3
"""Chooses answerbank's ranking method by cross-validation over the dev suite (see docs/matching.md, issue #15).

Input: the JSON lines `answerbank eval --dump-features FILE` writes: per case its file, expected ids and every
library entry's ranking features (answerbank's lexical score, BM25 over plain stemmed words, the model's
similarity to the closest wording and to the whole entry, exact re-use). Output: for each candidate method, the
macro Hit@1 / Hit@5 / MRR over the answerable files, leave-one-file-out and 5-fold (repeated 5 times), with the
standard error of the macro Hit@1, and the in-sample figures per file of the setting chosen on all files.

    answerbank eval --library LIB --cases ../shared/bench/caiq/dev.csv --cases ../shared/bench/crossframe \
        --model MODEL --dump-features /tmp/dump.jsonl
    python3 tools/ranking_cv.py /tmp/dump.jsonl

Needs only Python 3 and numpy. Hyper-parameters (the fusion constant k, a blend weight) are chosen on the
training folds by the macro Hit@1 + MRR, never on the file measured.
"""

import json
import random
import sys

import numpy as np


def load(path):
    cases = [json.loads(line) for line in open(path)]
    for case in cases:
        cs = case["candidates"]
        case["ids"] = [c["id"] for c in cs]

        def feature(key):
            return np.array([c.get(key) if c.get(key) is not None else 0.0 for c in cs], dtype=float)

        case["lex"] = feature("lexical")
        case["entry"] = feature("semantic_entry")
        case["wording"] = feature("semantic_wording")
        case["plain"] = feature("plain")
        case["exact"] = np.array([c["exact"] for c in cs], dtype=bool)
        case["expected_set"] = set(case["expected"])
    return cases


def ranks(values, ids):
    order = np.lexsort((np.array(ids), -values))
    result = np.empty(len(values), int)
    result[order] = np.arange(1, len(values) + 1)
    return result


def rank_of_expected(case, score):
    """1-based rank of the first expected entry within the first 10, exact re-use first as answerbank does."""
    if not case["ids"]:
        return None
    key = np.where(case["exact"], 1e6 + case["lex"], score)
    order = np.lexsort((np.array(case["ids"]), -key))[:10]
    return next((k + 1 for k, i in enumerate(order) if case["ids"][i] in case["expected_set"]), None)


def rrf(case, k, parts):
    return sum(1.0 / (k + ranks(case[p], case["ids"])) for p in parts)


def figures(pairs, files):
    """Per file: (Hit@1, Hit@5, MRR) and their standard errors; the macro average and its standard error."""
    per_file = {}
    for f in [f for f in files if any(name == f for name, _ in pairs)]:
        rows = np.array(
            [[r == 1, r is not None and r <= 5, 1.0 / r if r else 0.0] for name, r in pairs if name == f],
            dtype=float,
        )
        per_file[f] = (rows.mean(0), rows.std(0) / np.sqrt(len(rows)))
    means = np.mean([v[0] for v in per_file.values()], 0)
    errors = np.sqrt(np.sum([v[1] ** 2 for v in per_file.values()], 0)) / len(per_file)
    return per_file, means, errors


def evaluate(cases, files, fn, setting):
    return [(c["file"], rank_of_expected(c, fn(c, setting))) for c in cases if c["expected_set"]]


def fit(cases, files, grid, fn):
    if grid is None:
        return None
    return max(grid, key=lambda g: sum(figures(evaluate(cases, files, fn, g), files)[1][[0, 2]]))


KS = [5, 10, 20, 40, 60]
METHODS = {
    "lexical (no model)": (None, lambda c, _: c["lex"]),
    "RRF lexical, plain BM25 (no model)": (KS, lambda c, k: rrf(c, k, ("lex", "plain"))),
    "RRF lexical, wording": (KS, lambda c, k: rrf(c, k, ("lex", "wording"))),
    "RRF lexical, entry": (KS, lambda c, k: rrf(c, k, ("lex", "entry"))),
    "RRF lexical, entry, plain BM25": (KS, lambda c, k: rrf(c, k, ("lex", "entry", "plain"))),
    "RRF lexical, entry, wording": (KS, lambda c, k: rrf(c, k, ("lex", "entry", "wording"))),
    "RRF lexical, entry, wording, plain (chosen)": (
        KS,
        lambda c, k: rrf(c, k, ("lex", "entry", "wording", "plain")),
    ),
    "lexical + w * entry": ([0.1, 0.25, 0.5, 1.0], lambda c, w: c["lex"] + w * c["entry"]),
    "lexical + w * (entry + wording)": (
        [0.1, 0.25, 0.5, 1.0],
        lambda c, w: c["lex"] + w * (c["entry"] + c["wording"]),
    ),
}


def main(path):
    cases = load(path)
    files = sorted({c["file"] for c in cases if c["expected_set"]})
    print(f"{'method':44s} {'leave-one-file-out':22s} {'5-fold x5':22s} setting  in-sample per file")
    for name, (grid, fn) in METHODS.items():
        pairs = []
        for f in files:
            setting = fit([c for c in cases if c["file"] != f], files, grid, fn)
            pairs += evaluate([c for c in cases if c["file"] == f], files, fn, setting)
        _, lofo, lofo_error = figures(pairs, files)
        repeats = []
        for seed in range(5):
            order = list(range(len(cases)))
            random.Random(seed).shuffle(order)
            folds = [order[i::5] for i in range(5)]
            pairs = []
            for fold in folds:
                held = set(fold)
                setting = fit([cases[i] for i in order if i not in held], files, grid, fn)
                pairs += evaluate([cases[i] for i in fold], files, fn, setting)
            repeats.append(figures(pairs, files)[1])
        kfold = np.mean(repeats, 0)
        setting = fit(cases, files, grid, fn)
        per_file, _, _ = figures(evaluate(cases, files, fn, setting), files)
        cells = "  ".join(
            f"{f.split('/')[-1][:7]} {v[0][0]:.3f}/{v[0][1]:.3f}/{v[0][2]:.3f}" for f, v in per_file.items()
        )
        print(
            f"{name:44s} {lofo[0]:.3f}/{lofo[1]:.3f}/{lofo[2]:.3f} ±{lofo_error[0]:.3f}  "
            f"{kfold[0]:.3f}/{kfold[1]:.3f}/{kfold[2]:.3f}  {str(setting):7s} {cells}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dump.jsonl")
