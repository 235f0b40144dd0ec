#!/usr/bin/env python3
"""Choose the document-ranking weights of src/matching/passages.rs by cross-validation (see docs/documents.md).

    answerbank eval --library answer_library [--model M | --no-model] --docs DIR \
        --cases answers.csv --cases partial.csv --cases none.csv --dump-features dump.json
    python3 docs/documents_cv.py dump.json

Scores a fixed grid of weights on every case (the ranking and excerpt growth of passages.rs, re-done here), then
5-fold cross-validation repeated 20 times over the answerable cases (answers + partial): in each fold the candidate
with the most Hit@1 + Hit@3 on the other folds is scored on the held-out fold. Prints the in-sample best and the
out-of-fold figures with binomial standard errors, and (with a model) the likely threshold by CV over none.csv.
Pure Python, no numpy."""
import itertools, json, math, random, sys
from collections import defaultdict

D = json.load(open(sys.argv[1]))
S, C = D["sentences"], D["cases"]
N = len(S)
sections = defaultdict(list)
for i, s in enumerate(S):
    sections[s["section"]].append(i)
model = bool(C[0]["cos_sentence"])
sets = defaultdict(list)
for i, c in enumerate(C):
    sets[c["set"].rsplit("/", 1)[-1]].append(i)
A, PA, NO = sets["answers.csv"], sets["partial.csv"], sets["none.csv"]


def neighbour(bm25, i, sec):
    """The better BM25 of sentence i's neighbours in its section."""
    near = [bm25[j] for j in (i - 1, i + 1) if 0 <= j < N and sec[j] == sec[i]]
    return max(near) if near else 0.0


def scores(c, w):
    sec, doc = [s["section"] for s in S], [s["document"] for s in S]
    out = [
        w["bs"] * c["bm25_sentence"][i] + w["bsec"] * c["bm25_section"][sec[i]]
        + w["bdoc"] * c["bm25_document"][doc[i]] - w["frag"] * S[i]["fragment"]
        + w["nb"] * neighbour(c["bm25_sentence"], i, sec)
        for i in range(N)
    ]
    if model:
        best = defaultdict(lambda: -9.0)
        for x, v in enumerate(c["cos_section"]):
            d = S[sections[x][0]]["document"]
            best[d] = max(best[d], v)
        top = max(best.values())
        for i in range(N):
            out[i] += (w["cs"] * c["cos_sentence"][i] + w["csec"] * c["cos_section"][sec[i]]
                       + w["cdoc"] * (best[doc[i]] - top))
    return out


def window(s, sc):
    sib = sections[S[s]["section"]]
    lo, hi, first, last = sib[0], sib[-1], s, s
    while last - first + 1 < 3:
        b = first - 1 if first > lo else None
        a = last + 1 if last < hi else None
        if b is not None and a is not None and sc[b] > sc[a]:
            first = b
        elif a is not None:
            last = a
        elif b is not None:
            first = b
        else:
            break
    return first, last


def evaluate(ci, w):
    c = C[ci]
    sc = scores(c, w)
    shown = [i for i in range(N) if not model or c["cos_sentence"][i] >= 0.2]
    order = sorted(shown, key=lambda i: (-sc[i], i))
    taken = []
    for s in order:
        if len(taken) == 3:
            break
        a, b = window(s, sc)
        if any(not (b < x or a > y) for x, y, _ in taken):
            continue
        taken.append((a, b, sc[s]))
    hits = {tuple(h) for h in c["hits"]}
    rank = next((k + 1 for k, (a, b, _) in enumerate(taken) if (a, b) in hits), 0)
    return rank, taken[0][2] if taken else -9.0


if model:
    grid = [dict(cs=1 - x, csec=x, cdoc=d, bs=0, bsec=l, bdoc=0, frag=f, nb=0)
            for x, d, l, f in itertools.product([0, 0.15, 0.3], [0, 0.2, 0.4, 0.6], [0, 0.1, 0.2, 0.3],
                                                [0, 0.1, 0.2, 0.3])]
else:
    grid = [dict(bs=1 - a - b, bsec=a, bdoc=c, frag=f, nb=n)
            for a, b, c, f, n in itertools.product([0, 0.25, 0.5, 0.75], [0], [0, 0.15, 0.3], [0, 0.1, 0.2, 0.3],
                                                   [0, 0.15, 0.3, 0.5])
            if a + b <= 1]
res = [[evaluate(ci, w) for ci in range(len(C))] for w in grid]
ans = A + PA


def obj(r, ids):
    return sum((r[i][0] == 1) + (0 < r[i][0] <= 3) for i in ids)


def hit(ranks, ids, k):
    return sum(1 for i in ids if 0 < ranks[i] <= k) / len(ids)


def se(p, n):
    return math.sqrt(p * (1 - p) / n)


best = max(range(len(grid)), key=lambda g: (obj(res[g], ans), -g))
r = [x[0] for x in res[best]]
print("candidates", len(grid), "in-sample best", grid[best])
print(f"  in-sample answers {hit(r, A, 1):.3f}/{hit(r, A, 3):.3f} partial {hit(r, PA, 1):.3f}/{hit(r, PA, 3):.3f}")
reps = []
for seed in range(20):
    ids = ans[:]
    random.Random(seed).shuffle(ids)
    oof = {}
    for f in (ids[i::5] for i in range(5)):
        held = set(f)
        train = [i for i in ids if i not in held]
        g = max(range(len(grid)), key=lambda g: (obj(res[g], train), -g))
        for i in f:
            oof[i] = res[g][i][0]
    reps.append([hit(oof, A, 1), hit(oof, A, 3), hit(oof, PA, 1), hit(oof, PA, 3)])
m = [sum(x[j] for x in reps) / len(reps) for j in range(4)]
print(f"  out-of-fold answers H@1 {m[0]:.3f}±{se(m[0], len(A)):.3f} H@3 {m[1]:.3f}±{se(m[1], len(A)):.3f}"
      f"  partial H@1 {m[2]:.3f}±{se(m[2], len(PA)):.3f} H@3 {m[3]:.3f}±{se(m[3], len(PA)):.3f}")
if model and NO:
    top = {i: res[best][i][1] for i in NO}

    def threshold(ids):
        v = sorted(top[i] for i in ids)
        return v[len(v) - int(0.05 * len(v)) - 1] + 1e-4

    rates = []
    for seed in range(20):
        ids = NO[:]
        random.Random(seed).shuffle(ids)
        flags = []
        for f in (ids[i::5] for i in range(5)):
            t = threshold([i for i in ids if i not in set(f)])
            flags += [top[i] >= t for i in f]
        rates.append(sum(flags) / len(flags))
    print(f"  likely threshold (<= 5% of none in-sample) {threshold(NO):.3f}; out-of-fold none likely "
          f"{sum(rates) / len(rates):.3f}")
