"""Train the prompt-injection model shipped in ``guardkit/data/injection_model.json``.

Usage::

    python scripts/train_injection.py CORPUS_PATH [--out guardkit/data/injection_model.json] [--cv]

The model is a logistic regression over the heuristic signals of
``guardkit.validators._injection_signals`` and hashed-free word and character n-grams of the folded
canonical view. The signal weights start from hand-set priors and are only pulled a little by the data
(an L2 penalty towards the prior), so families of attacks the training rows lack still score. The n-gram
weights are small corrections (L2, clipped, pruned).

Only rows whose licence permits shipping derived weights are used for fitting (GPL-3.0 rows and rows
without a licence are left out). With ``--cv`` the script prints 5-fold cross-validation grouped by
source repository (fit on four folds, score the fifth, pool the scores) and the ablations.
Deterministic: inputs are sorted, every random generator is seeded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guardkit._canon import canonical  # noqa: E402
from guardkit.validators import _injection_signals as sig  # noqa: E402

# Hand-set signal weights (logit units): the prior every fit starts from and is pulled back to.
PRIOR: dict[str, float] = {
    "override": 3.5,
    "prior_ref": 1.2,
    "new_instructions": 1.5,
    "negated_follow": 2.5,
    "role_reassign": 1.0,
    "policy_negation": 1.6,
    "persona": 1.0,
    "ai_reference": 0.6,
    "extraction": 3.5,
    "secret_request": 1.0,
    "prefix_force": 1.5,
    "auth_bypass": 2.5,
    "system_mode": 1.5,
    "authority_claim": 1.5,
    "fake_delimiter": 2.0,
    "special_tokens": 3.0,
    "addressed_to_ai": 2.0,
    "responder_directive": 0.8,
    "code_injection": 1.5,
    "dangerous_code": 0.8,
    "frame_harm": 0.8,
    "unbound_ai": 1.2,
    "payload_split": 3.0,
    "exfil_link": 2.5,
    "decode_follow": 1.5,
    "adversarial_suffix": 3.5,
    "harmful_suffix": 2.5,
    "token_flood": 3.0,
    "doc_structure": -0.3,
    "doc_directive": 3.0,
    "context_switch": 1.5,
    "edge_task": 1.0,
    "you_density": 0.8,
    "cjk_override": 3.5,
    "cjk_extraction": 3.5,
    "cjk_jailbreak": 3.0,
    "length": 0.0,
}
PRIOR_BIAS = -2.0
# Extra weights for the stricter ``source="document"`` profile: instructions aimed at the reader model
# weigh more inside retrieved content.
DOCUMENT_EXTRA: dict[str, float] = {
    "addressed_to_ai": 1.5,
    "responder_directive": 1.0,
    "code_injection": 1.5,
    "edge_task": 0.5,
    "doc_directive": 0.5,
    "prefix_force": 0.5,
    "exfil_link": 1.0,
}
TARGET_FPR = 0.0099  # default threshold: at most this share of permitted benign rows flagged
NGRAM_CLIP = 1.5
NGRAM_FLOOR = -1.5
NGRAM_PRUNE = 0.05
NGRAM_MIN_ROWS = 2  # n-grams seen in fewer training rows are dropped (they only memorize)
NGRAM_NORM = 8  # n-gram sums are scaled by sqrt(NGRAM_NORM / keys) for texts with more keys
VOCAB_MIN_ROWS = 3  # a word joins the splitting vocabulary when this many training rows use it


def ngram_scale(n_keys: int) -> float:
    """Length normalization of the n-gram sum, so long texts do not pile up small weights."""
    return 1.0 if n_keys <= NGRAM_NORM else math.sqrt(NGRAM_NORM / n_keys)


def permitted(row: dict[str, str]) -> bool:
    """Whether a row's licence allows shipping weights derived from it."""
    lic = row["license"].lower()
    return not (lic.startswith(("gpl", "no license")) or not lic.strip())


def repository(row: dict[str, str]) -> str:
    """The source repository (``owner/name``) of a row."""
    return row["source"].split(":", 1)[0].split(" + ", 1)[0]


def featurize(rows: list[dict[str, str]]) -> tuple[list[list[float]], list[list[str]]]:
    """Signal vectors and n-gram keys for every row."""
    lex = sig.build_lexicon(lambda s: canonical(s).folded)
    dense: list[list[float]] = []
    keys: list[list[str]] = []
    for row in rows:
        view = canonical(row["text"])
        folded, _ = sig.despace(
            view.text, view.folded, lex.words, respelled=view.respelled, spaced=view.spaced
        )
        toks = sig.tokenize(folded)
        analysis = sig.analyze(view.text, folded, lex, toks)
        dense.append(analysis.values)
        keys.append(sorted(sig.ngram_keys(toks, folded)))
    return dense, keys


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Model:
    """Signal weights, n-gram weights and bias of one fit."""

    def __init__(self, bias: float, signal_w: list[float], ngram_w: dict[str, float]) -> None:
        self.bias = bias
        self.signal_w = signal_w
        self.ngram_w = ngram_w

    def logit(self, dense: list[float], keys: list[str]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.signal_w, dense, strict=False))
        get = self.ngram_w.get
        return z + sum(get(k, 0.0) for k in keys) * ngram_scale(len(keys))


def fit(
    dense: list[list[float]],
    keys: list[list[str]],
    y: list[int],
    *,
    use_signals: bool = True,
    use_ngrams: bool = True,
    fit_signals: bool = False,
    epochs: int = 12,
    lr: float = 0.05,
    l2_prior: float = 0.05,
    l2_ngram: float = 0.03,
    seed: int = 1,
) -> Model:
    """Fit by Adagrad on the logistic loss, classes balanced."""
    df = Counter(k for row in keys for k in row)
    keys = [[k for k in row if df[k] >= NGRAM_MIN_ROWS] for row in keys]
    nd = len(sig.SIGNALS)
    prior = [PRIOR[name] if use_signals else 0.0 for name in sig.SIGNALS]
    wd = list(prior)
    gd = [1e-8] * nd
    ws: dict[str, float] = {}
    gs: dict[str, float] = {}
    bias = PRIOR_BIAS if use_signals else 0.0
    gb = 1e-8
    n_pos = sum(y)
    n_neg = len(y) - n_pos
    w_pos = len(y) / (2.0 * max(n_pos, 1))
    w_neg = len(y) / (2.0 * max(n_neg, 1))
    order = list(range(len(y)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            xd = dense[i]
            xs = keys[i]
            z = bias
            if use_signals:
                z += sum(w * x for w, x in zip(wd, xd, strict=False))
            scale = ngram_scale(len(xs))
            if use_ngrams:
                z += sum(ws.get(k, 0.0) for k in xs) * scale
            g = (_sigmoid(z) - y[i]) * (w_pos if y[i] else w_neg)
            gb += g * g
            bias -= lr * g / math.sqrt(gb)
            if use_signals and fit_signals:
                for k in range(nd):
                    x = xd[k]
                    if x:
                        gk = g * x + l2_prior * (wd[k] - prior[k])
                        gd[k] += gk * gk
                        wd[k] -= lr * gk / math.sqrt(gd[k])
            if use_ngrams:
                for k in xs:
                    w = ws.get(k, 0.0)
                    gk = g * scale + l2_ngram * w
                    a = gs.get(k, 1e-8) + gk * gk
                    gs[k] = a
                    w -= lr * gk / math.sqrt(a)
                    ws[k] = max(NGRAM_FLOOR, min(NGRAM_CLIP, w))
    if not use_signals:
        wd = [0.0] * nd
    return Model(bias, wd, ws)


def tpr_at_fpr(scores: list[float], y: list[int], fpr: float = 0.01) -> tuple[float, float]:
    """Best true-positive rate with false-positive rate <= *fpr*, and its threshold."""
    neg = sorted((s for s, t in zip(scores, y, strict=False) if not t), reverse=True)
    k = math.floor(fpr * len(neg))
    thr = neg[k] if k < len(neg) else -math.inf
    tp = sum(1 for s, t in zip(scores, y, strict=False) if t and s > thr)
    return tp / max(sum(y), 1), thr


def folds_by_repository(rows: list[dict[str, str]], k: int = 5) -> dict[str, int]:
    """Assign repositories to *k* folds, largest first onto the lightest fold."""
    sizes = Counter(repository(r) for r in rows)
    load = [0] * k
    fold_of: dict[str, int] = {}
    for repo, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        j = min(range(k), key=lambda f: (load[f], f))
        fold_of[repo] = j
        load[j] += n
    return fold_of


def cross_validate(
    rows: list[dict[str, str]],
    dense: list[list[float]],
    keys: list[list[str]],
    y: list[int],
    **options: bool | float | int,
) -> list[float]:
    """Pooled out-of-fold logits, fitting only on permitted rows of the other folds."""
    fold_of = folds_by_repository(rows)
    scores = [0.0] * len(rows)
    for f in range(5):
        train = [i for i, r in enumerate(rows) if fold_of[repository(r)] != f and permitted(r)]
        model = fit([dense[i] for i in train], [keys[i] for i in train], [y[i] for i in train], **options)
        for i, r in enumerate(rows):
            if fold_of[repository(r)] == f:
                scores[i] = model.logit(dense[i], keys[i])
    return scores


def report(name: str, rows: list[dict[str, str]], scores: list[float], y: list[int]) -> float:
    """Print TPR at 1% FPR overall and per attack source/kind; return the overall figure."""
    tpr, thr = tpr_at_fpr(scores, y)
    per: dict[str, list[int]] = {}
    for r, s, t in zip(rows, scores, y, strict=False):
        if t:
            g = f"{repository(r).split('/')[-1]}/{r['kind']}"
            per.setdefault(g, [0, 0])
            per[g][0] += s > thr
            per[g][1] += 1
    parts = ", ".join(f"{g} {a / b:.2f}" for g, (a, b) in sorted(per.items()) if b >= 5)
    print(f"  {name:<28} TPR@1%FPR = {tpr:.3f}   [{parts}]")
    return tpr


def main(argv: list[str] | None = None) -> int:
    """Train, optionally cross-validate, and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="path to dev.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "guardkit" / "data" / "injection_model.json")
    parser.add_argument("--cv", action="store_true", help="print source-grouped cross-validation")
    args = parser.parse_args(argv)

    raw = args.corpus.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    rows = sorted(
        (json.loads(line) for line in raw.decode("utf-8").split("\n") if line.strip()), key=lambda r: r["id"]
    )
    y = [1 if r["label"] == "attack" else 0 for r in rows]
    t0 = time.perf_counter()
    dense, keys = featurize(rows)
    print(f"featurized {len(rows)} rows in {time.perf_counter() - t0:.1f} s")

    if args.cv:
        print("5-fold source-grouped cross-validation (pooled, FPR over all benign rows):")
        hand = [sum(PRIOR[n] * x for n, x in zip(sig.SIGNALS, d, strict=False)) for d in dense]
        report("heuristics, hand weights", rows, hand, y)
        report("heuristics, fitted", rows, cross_validate(rows, dense, keys, y, use_ngrams=False), y)
        report("n-grams only", rows, cross_validate(rows, dense, keys, y, use_signals=False), y)
        primary = report("both (shipped recipe)", rows, cross_validate(rows, dense, keys, y), y)
        print(f"PRIMARY: source-grouped CV TPR at FPR <= 1% = {primary:.3f}")

    train = [i for i, r in enumerate(rows) if permitted(r)]
    model = fit([dense[i] for i in train], [keys[i] for i in train], [y[i] for i in train])
    ngrams = {k: round(w, 4) for k, w in sorted(model.ngram_w.items()) if abs(w) >= NGRAM_PRUNE}
    model.ngram_w = ngrams
    train_benign = sorted((model.logit(dense[i], keys[i]) for i in train if not y[i]), reverse=True)
    k = math.floor(TARGET_FPR * len(train_benign))
    threshold_logit = train_benign[k]
    # Shift the bias so the default threshold sits at score 0.5, with that benign row just below it
    # (a text is flagged at score >= threshold; one unit of the stored 4-decimal precision).
    model.bias -= threshold_logit + 1e-4
    doc_threshold = _sigmoid(-1.0)

    scores = [model.logit(d, kk) for d, kk in zip(dense, keys, strict=False)]
    tp = sum(1 for s, t in zip(scores, y, strict=False) if t and s >= 0)
    fp = sum(1 for s, t in zip(scores, y, strict=False) if not t and s >= 0)
    n_pos = sum(y)
    n_neg = len(y) - n_pos
    print(
        f"shipped model at default threshold on the whole dev file: TPR = {tp / n_pos:.3f}, "
        f"FPR = {fp / n_neg:.4f} ({tp}/{n_pos} attacks, {fp}/{n_neg} benign)"
    )
    report("shipped model (dev fit)", rows, scores, y)

    trained_on = Counter((repository(rows[i]), rows[i]["license"]) for i in train)
    # Words seen in at least VOCAB_MIN_ROWS training rows: used to split words glued together by
    # spaced-letter obfuscation ("revealyour" -> "reveal your").
    seen = Counter(k for i in train for k in keys[i] if " " not in k and k.isalpha() and 3 <= len(k) <= 16)
    vocabulary = sorted(k for k, n in seen.items() if n >= VOCAB_MIN_ROWS)
    data = {
        # 2: token bigrams in every script (1 paired the character bigrams of CJK words).
        "format": 2,
        "signals": list(sig.SIGNALS),
        "signal_weights": [round(w, 4) for w in model.signal_w],
        "document_extra": DOCUMENT_EXTRA,
        "bias": round(model.bias, 4),
        "thresholds": {"user": 0.5, "document": round(doc_threshold, 4)},
        "ngram_norm": NGRAM_NORM,
        "ngram_weights": ngrams,
        "vocabulary": vocabulary,
        "training": {
            "corpus_sha256": digest,
            "rows_total": len(rows),
            "rows_used": len(train),
            "rows_left_out": len(rows) - len(train),
            "rule": "rows whose licence is GPL-3.0 or absent are left out",
            "target_fpr": TARGET_FPR,
            "by_source_and_licence": [
                {"source": s, "license": lic, "rows": n} for (s, lic), n in sorted(trained_on.items())
            ],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8"
    )
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(ngrams)} n-grams, "
        f"{len(vocabulary)} vocabulary words)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
