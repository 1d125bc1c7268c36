"""Training the learned parts from the tune split: ``bot train-ranker``, ``train-domain``,
``train-answerability``, ``train-abstention`` (``bot train`` runs the four in that order).

Labels come from the development set's gold quotes (a candidate is relevant when it covers a gold
quote, the rule of the evaluation). Only tune items are read; held-out figures are printed in aggregate.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from bot.answering.conversation import understand
from bot.evaluation import EvalSet, covers, document_texts, writer_batch
from knowledge.ranking import RANKER_PATH, TreeRanker

log = logging.getLogger(__name__)

FOLDS = 4


def candidate_rows(service, items: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per answerable item: (feature rows of its candidates, 0/1 labels)."""
    doc_texts = document_texts(service)
    searcher = service.searcher
    out = []
    for item in items:
        if not item.get("gold"):
            continue
        a = understand(item["question"], item.get("history", []))
        cands, x = searcher.candidates(a.retrieval_text, own=a.own_text, about_past=a.about_past)
        chunks = [searcher.chunk_at(i) for i in cands]
        y = np.array([any(covers(c, g, doc_texts) for g in item["gold"]) for c in chunks], dtype=np.int8)
        out.append((x, y))
    return out


# The ranking trees (LambdaMART): 300 trees of 15 leaves at learning rate 0.05, a leaf needing 50 candidates;
# chosen by 4-fold cross-validation on tune among three sizes (within 0.5 points of each other), folds by item
# and by writer batch both showing +0.8 to +1.1 points hit@1 over the pairwise logistic regression it
# replaced. One thread, no sampling: the same data gives the same file.
RANKER_TREES = {"objective": "lambdarank", "n_estimators": 300, "num_leaves": 15, "learning_rate": 0.05,
                "min_child_samples": 50, "lambdarank_truncation_level": 10, "deterministic": True,
                "num_threads": 1, "verbose": -1}


def _fit_trees(groups: list[tuple[np.ndarray, np.ndarray]]):
    import lightgbm

    scored = [(x, y) for x, y in groups if y.any()]  # a query whose right passage is no candidate teaches nothing
    return lightgbm.LGBMRanker(**RANKER_TREES).fit(
        np.vstack([x for x, _ in scored]), np.concatenate([y for _, y in scored]),
        group=[len(y) for _, y in scored]).booster_


def _fold_fits(groups: list[tuple[np.ndarray, np.ndarray]], folds: list[int]) -> list[TreeRanker]:
    """One model per fold, each trained on the groups of the other folds."""
    return [TreeRanker(_fit_trees([g for g, k in zip(groups, folds, strict=True) if k != f])) for f in range(FOLDS)]


def _hit1(groups, model: TreeRanker) -> float:
    hits = [bool(y[int(np.argmax(model.score(x)))]) for x, y in groups if len(y)]
    return sum(hits) / len(hits) if hits else 0.0


def fit_ranker(groups: list[tuple[np.ndarray, np.ndarray]], source: str) -> tuple[TreeRanker, dict]:
    """LambdaMART over the candidates of each query (relevant: covers a gold quote), with its CV hit@1."""
    folds = [i % FOLDS for i in range(len(groups))]
    models = _fold_fits(groups, folds)
    scores = [_hit1([g for g, k in zip(groups, folds, strict=True) if k == f], models[f]) for f in range(FOLDS)]
    meta = {"trained_on": source, "queries": len(groups), "cv_hit@1": round(float(np.mean(scores)), 4),
            "trees": {k: v for k, v in RANKER_TREES.items() if k not in ("verbose", "num_threads")},
            "date": dt.date.today().isoformat(), "rebuild": "bot train-ranker"}
    return TreeRanker(_fit_trees(groups), meta=meta), meta


def fold_rankers(service, items: list[dict]) -> dict[str, TreeRanker]:
    """Per item id: a ranking model not trained on that item (items in FOLDS by position).

    What trains on retrieval output (the answerability model's rank and score features) must see the
    retrieval an unseen question gets: the trees rank their own training questions almost perfectly
    (tune hit@1 ~0.97 in sample against ~0.84 out of fold), and features read from that ranking teach
    the answerability model to trust the first passage more than it deserves."""
    gold = [(i, it) for i, it in enumerate(items) if it.get("gold")]
    groups = candidate_rows(service, [it for _, it in gold])
    models = _fold_fits(groups, [i % FOLDS for i, _ in gold])
    return {it["id"]: models[i % FOLDS] for i, it in enumerate(items)}


@contextmanager
def _ranked_by(searcher, ranker: TreeRanker | None) -> Iterator[None]:
    """Retrieval with ``ranker`` for the duration (None: the searcher's own)."""
    if ranker is None:
        yield
        return
    kept = searcher.ranker
    searcher.ranker = ranker
    try:
        yield
    finally:
        searcher.ranker = kept


def train_ranker(service, tune: EvalSet, path=RANKER_PATH) -> dict:
    """Fit the ranking model on ``tune`` and save it; the searcher uses it from then on."""
    if tune.name != "tune":
        raise ValueError("the ranking model is trained on the tune split only")
    previous = service.searcher.options.fusion
    groups = candidate_rows(service, tune.items)
    model, meta = fit_ranker(groups, f"eval/questions.jsonl split=tune ({len(tune.items)} items)")
    model.save(path)
    service.searcher.ranker = model
    service.searcher.options.fusion = previous
    log.info("ranking model saved to %s", path)
    return meta


DOMAIN_C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # the question vector has 384 dimensions: regularise hard
MAX_IN_DOMAIN_TURNED_AWAY = 0.02  # share of in-domain tune questions the threshold may turn away
WRITTEN_MATCH_MARGIN = 0.01  # the written-question cutoff sits this far above the closest out-of-domain question


def domain_rows(service, items: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model inputs of each item's question, 1 for out-of-domain items, and whether the item is answerable."""
    from knowledge.domain import read_question, row

    xs, ys, answerable = [], [], []
    for item in items:
        a = understand(item["question"], item.get("history", []))
        signals, in_context, vector = read_question(service.searcher, a)
        xs.append(row(signals, vector, in_context))
        ys.append(item["type"] == "outofdomain")
        answerable.append(bool(item.get("gold")))
    return np.array(xs), np.array(ys, dtype=np.int8), np.array(answerable)


def unwritten_rows(service, items: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs of each answerable item's question read as if nobody had written questions for its gold
    documents, and the item's position: how a question about an uploaded document reads (no written questions
    exist for it). Trained on as in-domain rows, they keep the model from turning such questions away for
    being far from every written one. Without them, the out-of-domain bank's signals turned away a question
    on a document staff had just uploaded (docs/benchmarks.md, seventeenth section)."""
    from knowledge.domain import read_question, row

    xs, at = [], []
    for k, item in enumerate(items):
        if not item.get("gold"):
            continue
        a = understand(item["question"], item.get("history", []))
        hidden = frozenset(g["doc"] for g in item["gold"])
        signals, in_context, vector = read_question(service.searcher, a, hidden)
        xs.append(row(signals, vector, in_context))
        at.append(k)
    return np.array(xs), np.array(at, dtype=np.int64)


def domain_out_of_fold(x: np.ndarray, y: np.ndarray, c: float, groups: np.ndarray | None = None) -> np.ndarray:
    """P(out of domain) of each row from a domain model (standardised inputs, C ``c``) not trained on it;
    rows sharing a group (two readings of one question) share a fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict

    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    cv = (StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0) if groups is None
          else StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=0))
    return cross_val_predict(LogisticRegression(C=c, class_weight="balanced", max_iter=5000),
                             (x - x.mean(axis=0)) / scale, y, groups=groups, cv=cv, method="predict_proba")[:, 1]


def train_domain(service, tune: EvalSet, path=None) -> dict:
    """Fit P(out of domain) on tune; the threshold turns away at most 2% of answerable tune questions, each
    counted twice: as it reads, and read as about a document nobody wrote questions for (``unwritten_rows``).
    Cross-validated on tune (3,679 items; out-of-domain caught / answerable turned away / turned away when read as
    about an uploaded document): the sixteenth section's recipe (no bank signals, no such rows, the threshold on
    the questions as they read) 0.912 / 0.019 / 0.049; with the out-of-domain bank's signals 0.935 / 0.019 /
    0.059; with them and these rows 0.914 / 0.012 / 0.028 (docs/benchmarks.md, eighteenth section)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    from knowledge.domain import DOMAIN_PATH, READ, DomainModel

    if tune.name != "tune":
        raise ValueError("the domain model is trained on the tune split only")

    x, y, answerable = domain_rows(service, tune.items)
    xu, at = unwritten_rows(service, tune.items)
    n = len(y)
    x, y = np.vstack([x, xu]), np.concatenate([y, np.zeros(len(at), dtype=np.int8)])
    groups = np.concatenate([np.arange(n), at])
    unwritten = np.arange(len(y)) >= n
    answerable = np.concatenate([answerable, np.ones(len(at), dtype=bool)])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    # regularisation and threshold from out-of-fold probabilities: in-sample ones would be overconfident
    # The share caught at the threshold cannot choose C: on tune 3,366, C 0.003, 0.01 and 1.0 all caught 0.899
    # and grid order picked the first. The log loss weighted as the fit is (balanced classes) is smooth and has
    # one minimum (C 0.01 there; docs/benchmarks.md, twelfth section).
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    best = None
    for c in DOMAIN_C_GRID:
        p = domain_out_of_fold(x, y, c, groups)
        loss = float(log_loss(y, p, sample_weight=weight))
        if best is None or loss < best[1]:
            best = (c, loss, p)
    c, loss, oof = best
    # the smallest threshold above all but MAX_IN_DOMAIN_TURNED_AWAY of the answerable questions, read both ways
    inside = np.sort(oof[answerable])
    threshold = float(inside[min(len(inside) - 1, int(np.ceil((1 - MAX_IN_DOMAIN_TURNED_AWAY) * len(inside))))]) + 1e-6
    away = oof >= threshold
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(z, y)
    asked = x[:, list(READ).index("asked_top1")]
    written_match = round(float(asked[y == 1].max()) + WRITTEN_MATCH_MARGIN, 4)
    meta = {"trained_on": f"eval/questions.jsonl split=tune ({n} items, {int(y.sum())} out of domain; "
                          f"{len(at)} answerable ones also read without their documents' written questions)",
            "C": c, "cv_balanced_log_loss": round(loss, 4), "cv_out_of_domain_caught": round(float(away[y == 1].mean()), 4),
            "cv_answerable_turned_away": round(float(away[answerable & ~unwritten].mean()), 4),
            "cv_unwritten_turned_away": round(float(away[unwritten].mean()), 4),
            "written_match": written_match,
            "cv_answerable_turned_away_after_written_match": round(float(
                (away & (asked < written_match))[answerable & ~unwritten].mean()), 4),
            "date": dt.date.today().isoformat(), "rebuild": "bot train-domain"}
    model = DomainModel(lr.coef_[0], float(lr.intercept_[0]), mean, scale, threshold, meta)
    model.save(path or DOMAIN_PATH)
    if service.answerer is not None:
        service.answerer.domain = model
    return meta


def domain_curve(service, model, items: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, out-of-domain caught, answerable turned away) at a range of thresholds, in aggregate."""
    x, y, answerable = domain_rows(service, items)
    p = model.probability(x)
    return [(t, float((p[y == 1] >= t).mean()) if y.any() else 0.0,
             float((p[answerable] >= t).mean()) if answerable.any() else 0.0) for t in _thresholds(model)]


def _thresholds(model) -> list[float]:
    """The thresholds a curve is printed at: a regular grid and the model's own."""
    return sorted({round(float(v), 2) for v in np.linspace(0.05, 0.95, 19)} | {round(model.threshold, 3)})


MAX_FALSE_REFUSALS = 0.03  # share of answerable tune questions a refusal threshold may refuse


def refusal_threshold(answerable: np.ndarray) -> float:
    """The largest threshold under which at most MAX_FALSE_REFUSALS of ``answerable`` (P(answers) of answerable
    questions, out of fold) fall."""
    ranked = np.sort(answerable)
    return float(ranked[int(np.floor(MAX_FALSE_REFUSALS * len(ranked)))]) - 1e-6


def sentence_rows(service, items: list[dict], rankers: dict[str, TreeRanker] | None = None,
                  examples: list | None = None) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """Per in-domain item: candidate-sentence features, 0/1 labels (overlaps a gold quote), answerable?
    ``rankers``: the ranking model each item is retrieved with (``fold_rankers``; default the shipped one).
    ``examples``, when given, receives per row what word pairs are learned from: the question's words, each
    candidate's words and labels (``bot.answering.pairs``)."""
    from bot.answering.answerability import pair_words, sentence_words
    from bot.evaluation import quote_spans

    texts: dict[str, str] = {}
    out = []
    for item in items:
        if item["type"] == "outofdomain":
            continue
        with _ranked_by(service.searcher, rankers[item["id"]] if rankers else None):
            a, hits, sents, x = service.answerer.candidates(item["question"], item.get("history", []))
        spans: dict[str, list[tuple[int, int]]] = {}
        for g in item.get("gold", []):
            for h in hits:
                if h.chunk.source == g["doc"]:
                    if h.chunk.doc_id not in texts:
                        texts[h.chunk.doc_id] = service.get_document(h.chunk.doc_id).text
                    spans.setdefault(h.chunk.doc_id, []).extend(quote_spans(texts[h.chunk.doc_id], g["quote"]))
                    break
        y = []
        for s in sents:
            doc_spans = spans.get(s.hit.chunk.doc_id, [])
            y.append(any(min(s.end, q1) - max(s.start, q0) > 0.5 * min(s.end - s.start, q1 - q0)
                         for q0, q1 in doc_spans))
        out.append((x, np.array(y, dtype=np.int8), bool(item.get("gold"))))
        if examples is not None:
            examples.append((pair_words(service.searcher, a), [sentence_words(service.searcher, s) for s in sents], y))
    return out


def _pair_folds(examples: list) -> list:
    """One word-pairs table per fold (rows by position in FOLDS, as the sentence models'), each learned on the
    other folds: an item's pair features must not come from its own gold quotes."""
    from bot.answering.pairs import WordPairs

    return [WordPairs.learn(e for i, e in enumerate(examples) if i % FOLDS != f) for f in range(FOLDS)]


def _with_pairs(rows: list[tuple[np.ndarray, np.ndarray, bool]], examples: list, pair_models: list
                ) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """``rows`` with their word-pair columns recomputed by the fold's table (in-sample pairs are overconfident,
    and trees trained on them would trust the pairs more than an unseen question's deserve)."""
    from bot.answering.answerability import FEATURES, pair_columns

    first = list(FEATURES).index("pairs")
    out = []
    for i, ((x, y, answerable), (question, sentences, _)) in enumerate(zip(rows, examples, strict=True)):
        x = x.copy()
        if len(x):
            x[:, first:first + 3] = pair_columns(pair_models[i % FOLDS], question, sentences)
        out.append((x, y, answerable))
    return out


def fold_sentence_models(service, items: list[dict], rankers: dict[str, TreeRanker]) -> tuple[list, list]:
    """Per fold, the answerability model and the word pairs that were not trained on its in-domain items."""
    examples: list = []
    rows = sentence_rows(service, items, rankers, examples)
    pair_models = _pair_folds(examples)
    return _answerability_folds(_with_pairs(rows, examples, pair_models)), pair_models


# The answerability trees: small (7 leaves) and many (300, learning rate 0.05), a leaf needing 50 sentences.
# Chosen by 4-fold cross-validation on tune among a handful of sizes (all within a point of each other);
# classes weighted so that P is on the scale the composer's ratios expect. One thread and no sampling:
# the same data gives the same file.
ANSWERABILITY_TREES = {"n_estimators": 300, "num_leaves": 7, "learning_rate": 0.05, "min_child_samples": 50,
                       "class_weight": "balanced", "deterministic": True, "num_threads": 1, "verbose": -1}


def _fit_answerability(rows: list[tuple[np.ndarray, np.ndarray, bool]]):
    import lightgbm

    from bot.answering.answerability import AnswerabilityModel

    px = np.vstack([r[0] for r in rows if len(r[0])])
    py = np.concatenate([r[1] for r in rows if len(r[0])])
    return AnswerabilityModel(lightgbm.LGBMClassifier(**ANSWERABILITY_TREES).fit(px, py).booster_, 0.0)


def _answerability_folds(rows: list[tuple[np.ndarray, np.ndarray, bool]]) -> list:
    """One answerability model per fold (rows by position in FOLDS), each trained on the other folds."""
    return [_fit_answerability([r for i, r in enumerate(rows) if i % FOLDS != f]) for f in range(FOLDS)]


def out_of_fold_ask(service, tune: EvalSet) -> Callable[[dict], dict]:
    """``ask(item)`` for tune items as an unseen question would be answered: retrieved by a ranking model,
    scored by an answerability model and decided by an abstention model that were not trained on it
    (thresholds: the shipped models', themselves chosen out of fold). The shipped figures on tune are in
    sample — the trees rank their own training questions almost perfectly — so this is the tune column to
    compare with held-out. The domain model (a strongly regularised logistic regression) stays the shipped
    one. Takes ~8 minutes."""
    answerer = service.answerer
    shipped = answerer.answerability
    rankers = fold_rankers(service, tune.items)
    fold_models, pair_models = fold_sentence_models(service, tune.items, rankers)
    for m in fold_models:
        m.threshold, m.params = shipped.threshold, dict(shipped.params)
    abstention, uncovered, pairs = answerer.abstention, answerer.uncovered, answerer.pairs
    left_overs: list[list[str]] = []
    x, y, folds, ids = abstention_rows(service, tune.items, rankers, fold_models, pair_models,
                                       left_overs=left_overs)
    abstention_folds, uncovered_folds, _ = _abstention_folds(x, y, folds, left_overs)
    for m in abstention_folds:
        m.threshold = abstention.threshold
    abstention_fold = dict(zip(ids, folds, strict=True))
    # fold of each item: its position among the in-domain items, as sentence_rows orders them
    fold = {it["id"]: i % FOLDS for i, it in enumerate(x for x in tune.items if x["type"] != "outofdomain")}

    def ask(item: dict) -> dict:
        answerer.answerability = fold_models[fold[item["id"]]] if item["id"] in fold else shipped
        answerer.pairs = pair_models[fold[item["id"]]] if item["id"] in fold else pairs
        k = abstention_fold.get(item["id"])
        answerer.abstention = abstention if k is None else abstention_folds[k]
        answerer.uncovered = uncovered if k is None else uncovered_folds[k]
        try:
            with _ranked_by(service.searcher, rankers[item["id"]]):
                return service.ask(item["question"], item.get("history", [])).as_dict()
        finally:
            answerer.answerability, answerer.abstention, answerer.uncovered = shipped, abstention, uncovered
            answerer.pairs = pairs

    return ask


def train_answerability(service, tune: EvalSet, path=None) -> dict:
    """Fit P(sentence answers) on tune; threshold (printed for comparison; the abstention model decides):
    at most 3% of answerable tune questions with a lower best sentence."""
    from bot.answering.answerability import ANSWERABILITY_PATH
    from bot.answering.pairs import PAIRS_PATH, WordPairs

    if tune.name != "tune":
        raise ValueError("the answerability model is trained on the tune split only")
    rankers = fold_rankers(service, tune.items)
    examples: list = []
    rows = sentence_rows(service, tune.items, rankers, examples)
    pairs = WordPairs.learn(examples)
    # every row's pair features from pairs not learned from its own question, as an unseen question's are
    rows = _with_pairs(rows, examples, _pair_folds(examples))
    y = np.concatenate([r[1] for r in rows if len(r[0])])
    model = _fit_answerability(rows)
    # The threshold comes from out-of-fold probabilities (items split in FOLDS): in-sample ones are
    # overconfident, and a threshold set on them refuses more unseen answerable questions than it should.
    best, first_right = [], []
    fold_models = _answerability_folds(rows)
    for f, fold_model in enumerate(fold_models):
        held = [r for i, r in enumerate(rows) if i % FOLDS == f]
        for x, labels, answerable in held:
            p = fold_model.probabilities(x)
            best.append((float(p.max()) if len(p) else 0.0, answerable))
            if labels.any():
                first_right.append(bool(labels[int(np.argmax(p))]))
    answerable = np.array([b for b, ok in best if ok])
    model.threshold = refusal_threshold(answerable)
    unanswerable = [b for b, ok in best if not ok]
    model.meta = {
        "trained_on": f"eval/questions.jsonl split=tune ({len(rows)} in-domain items, {len(y)} sentences, "
                      f"{int(y.sum())} answering)",
        "cv_best_sentence_answers": round(float(np.mean(first_right)), 4),
        "tune_false_refusals": round(float(np.mean([b < model.threshold for b in answerable])), 4),
        "tune_unanswerable_refused": round(float(np.mean([b < model.threshold for b in unanswerable])), 4)
        if unanswerable else None,
        "trees": {k: v for k, v in ANSWERABILITY_TREES.items() if k not in ("verbose", "num_threads")},
        "date": dt.date.today().isoformat(), "rebuild": "bot train-answerability"}
    model.save(path or ANSWERABILITY_PATH)
    pairs.meta = {"trained_on": model.meta["trained_on"], "pairs": len(pairs.weights), "date": model.meta["date"],
                  "rebuild": "bot train-answerability"}
    # beside the answerability model: its pair features are this table's
    pairs.save(Path(path).with_name(PAIRS_PATH.name) if path else PAIRS_PATH)
    service.answerer.answerability, service.answerer.pairs = model, pairs
    return model.meta


# The abstention trees: smaller data (one row per question) than the sentence model's, so fewer trees.
ABSTENTION_TREES = {"n_estimators": 200, "num_leaves": 7, "learning_rate": 0.05, "min_child_samples": 30,
                    "deterministic": True, "num_threads": 1, "verbose": -1}


def abstention_rows(service, items: list[dict], rankers: dict[str, TreeRanker] | None = None,
                    sentence_models: list | None = None, pair_models: list | None = None,
                    settled: dict[str, bool] | None = None,
                    left_overs: list[list[str]] | None = None) -> tuple[np.ndarray, np.ndarray, list[int], list[str]]:
    """Question features and answerable? (0/1) of the items that reach the refuse-or-answer decision (not
    chit-chat, not turned away by the domain model, something to quote): in-domain items, and the
    out-of-domain ones the domain model lets through (unanswerable by definition). With each row's fold
    (an in-domain item's position among the in-domain items modulo FOLDS, as in ``sentence_rows``; an
    out-of-domain one's among the out-of-domain items) and item id. ``rankers`` and ``sentence_models`` (one
    per fold, for in-domain items: out-of-domain ones are in no sentence model's training data) and
    ``pair_models`` (the word pairs beside them): the models each item is retrieved and scored with, default the
    shipped ones. ``settled``, when given, receives
    whether each item settled before the decision was refused; ``left_overs``, when given, each row's question
    words its best sentence lacks (``bot.answering.uncovered``)."""
    from bot.answering.abstention import QUESTION_FEATURES
    from bot.answering.types import Answer

    answerer = service.answerer
    kept, kept_pairs = answerer.answerability, answerer.pairs
    xs, ys, folds, ids = [], [], [], []
    position = {"in": 0, "out": 0}
    try:
        for item in items:
            side = "out" if item["type"] == "outofdomain" else "in"
            fold = position[side] % FOLDS
            position[side] += 1
            answerer.answerability = sentence_models[fold] if sentence_models and side == "in" else kept
            answerer.pairs = pair_models[fold] if pair_models and side == "in" else kept_pairs
            with _ranked_by(service.searcher, rankers[item["id"]] if rankers else None):
                d = answerer.deliberate(item["question"], item.get("history", []))
            if isinstance(d, Answer):
                if settled is not None:
                    settled[item["id"]] = d.refused
                continue  # settled before the decision
            xs.append(d.row[0])
            if left_overs is not None:
                left_overs.append(d.left_over)
            ys.append(bool(item.get("gold")))
            folds.append(fold)
            ids.append(item["id"])
    finally:
        answerer.answerability, answerer.pairs = kept, kept_pairs
    return (np.array(xs, dtype=np.float64).reshape(-1, len(QUESTION_FEATURES)), np.array(ys, dtype=np.int8), folds,
            ids)


def _fit_abstention(x: np.ndarray, y: np.ndarray):
    import lightgbm

    from bot.answering.abstention import AbstentionModel

    return AbstentionModel(lightgbm.LGBMClassifier(**ABSTENTION_TREES).fit(x, y).booster_, 0.0)


UNCOVERED_C = 0.3  # grouped by writer batch on tune, C 1.0 did alike (0.830 against 0.833); docs/benchmarks.md
UNCOVERED_MIN_ROWS = 3  # a left-over term seen in fewer training rows gets no weight


def fit_uncovered(left_overs: list[list[str]], answerable: np.ndarray):
    """The left-over words model: a logistic regression of unanswerable on the terms left over."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from bot.answering.uncovered import UncoveredModel

    vec = CountVectorizer(analyzer=lambda terms: terms, binary=True, min_df=UNCOVERED_MIN_ROWS)
    x = vec.fit_transform(left_overs)
    lr = LogisticRegression(C=UNCOVERED_C, max_iter=5000).fit(x, 1 - np.asarray(answerable))
    weights = dict(zip(vec.get_feature_names_out(), map(float, lr.coef_[0]), strict=True))
    return UncoveredModel(weights, float(lr.intercept_[0]), {"C": UNCOVERED_C, "min_rows": UNCOVERED_MIN_ROWS, "terms": int(x.shape[1])})


def _uncovered_column(x: np.ndarray, left_overs: list[list[str]], y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """``x`` with its ``uncovered`` column out of fold: each row's left-over words scored by a model fitted on
    the other folds' rows (in sample the model would know every row's answer)."""
    from bot.answering.abstention import QUESTION_FEATURES

    col = list(QUESTION_FEATURES).index("uncovered")
    x = x.copy()
    for k in np.unique(folds):
        held = np.flatnonzero(folds == k)
        model = fit_uncovered([left_overs[i] for i in np.flatnonzero(folds != k)], y[folds != k])
        x[held, col] = model.probabilities([left_overs[i] for i in held])
    return x


def _abstention_folds(x: np.ndarray, y: np.ndarray, folds: list[int], left_overs: list[list[str]],
                      trained: np.ndarray | None = None) -> tuple[list, list, np.ndarray]:
    """Per fold: an abstention model and a left-over words model trained on the rows of the other folds
    (``trained``: those of them both may train on), and ``x`` with each row's ``uncovered`` column from its
    fold's left-over words model. The abstention model's own training rows have that column out of fold
    within them, as the shipped model's have on all rows."""
    from bot.answering.abstention import QUESTION_FEATURES

    col = list(QUESTION_FEATURES).index("uncovered")
    f = np.array(folds)
    trained = np.ones(len(y), dtype=bool) if trained is None else trained
    abstention, uncovered, held_x = [], [], x.copy()
    for k in range(FOLDS):
        rest = np.flatnonzero((f != k) & trained)
        words = [left_overs[i] for i in rest]
        inner = _uncovered_column(x[rest], words, y[rest], np.arange(len(rest)) % FOLDS)
        abstention.append(_fit_abstention(inner, y[rest]))
        model = fit_uncovered(words, y[rest])
        uncovered.append(model)
        held = np.flatnonzero(f == k)
        held_x[held, col] = model.probabilities([left_overs[i] for i in held])
    return abstention, uncovered, held_x


def _abstention_out_of_fold(x: np.ndarray, y: np.ndarray, folds: list[int], left_overs: list[list[str]],
                            trained: np.ndarray | None = None) -> np.ndarray:
    """P(answerable) of every row from the fold models not trained on it (``_abstention_folds``)."""
    p = np.zeros(len(y))
    fold_models, _, held_x = _abstention_folds(x, y, folds, left_overs, trained)
    for k, fold_model in enumerate(fold_models):
        held = np.array(folds) == k
        p[held] = fold_model.probability(held_x[held])
    return p


BATCH_ASSIGNMENTS = 6  # random deals of whole writer batches to folds; one deal moves the figure by up to ±0.02


def batch_folds(ids: list[str], seed: int) -> list[int]:
    """Each row's fold when whole writer batches (``writer_batch``) are dealt to FOLDS folds at random."""
    batches = sorted({writer_batch(i) for i in ids})
    dealt = dict(zip(batches, np.random.default_rng(seed).permutation(len(batches)) % FOLDS, strict=True))
    return [int(dealt[writer_batch(i)]) for i in ids]


def batch_out_of_fold(x: np.ndarray, y: np.ndarray, ids: list[str], left_overs: list[list[str]]
                      ) -> list[np.ndarray]:
    """P(answerable) of every row, once per deal of whole writer batches to folds (``BATCH_ASSIGNMENTS``
    deals), each from the fold models not trained on the row's batch."""
    return [_abstention_out_of_fold(x, y, batch_folds(ids, seed), left_overs) for seed in range(BATCH_ASSIGNMENTS)]


def batch_threshold(deals: list[np.ndarray], y: np.ndarray) -> float:
    """The refusal threshold from the answerable rows of every deal pooled (one deal moves it by a few
    hundredths: a batch is 20-60 rows)."""
    return refusal_threshold(np.concatenate([p[y == 1] for p in deals]))


def batch_cv(x: np.ndarray, y: np.ndarray, ids: list[str], left_overs: list[list[str]],
             deals: list[np.ndarray] | None = None) -> float:
    """Unanswerable refused at the threshold refusing ``MAX_FALSE_REFUSALS`` of the answerable, out of fold with
    whole writer batches held out (mean of ``BATCH_ASSIGNMENTS`` deals; ``deals``: their probabilities, if
    already computed). Folds by position put every batch in every fold; this figure says how much of the
    model's gain survives writers it has never read. A change that moves the position figure but not this one
    learned wording (docs/benchmarks.md, twenty-first, twenty-second and twenty-fourth sections)."""
    deals = deals if deals is not None else batch_out_of_fold(x, y, ids, left_overs)
    return round(float(np.mean([(p[y == 0] < refusal_threshold(p[y == 1])).mean() for p in deals])), 4)


def train_abstention(service, tune: EvalSet, path=None) -> dict:
    """Fit P(answerable) on the tune items that reach the decision, each in-domain item's sentences scored by
    an answerability model not trained on it (as an unseen question's are); threshold: at most 3% of
    answerable items refused, out of fold with whole writer batches held out."""
    from bot.answering.abstention import ABSTENTION_PATH
    from bot.answering.uncovered import UNCOVERED_PATH

    if tune.name != "tune":
        raise ValueError("the abstention model is trained on the tune split only")
    rankers = fold_rankers(service, tune.items)
    sentence_models, pair_models = fold_sentence_models(service, tune.items, rankers)
    left_overs: list[list[str]] = []
    x, y, folds, ids = abstention_rows(service, tune.items, rankers, sentence_models, pair_models,
                                       left_overs=left_overs)
    uncovered = fit_uncovered(left_overs, y)
    model = _fit_abstention(_uncovered_column(x, left_overs, y, np.array(folds)), y)
    # The threshold from out-of-fold probabilities (in-sample ones are overconfident), with whole writer batches
    # held out: an unseen question comes from a writer the model has not read. With folds by position the
    # threshold sat where answerable questions of known writers fall, and held-out refused more of them than
    # the 3% budget (about 3.5% of the held-out answerable items reaching the decision at 0.636, 3.2% at the
    # by-batch 0.610; docs/benchmarks.md, twenty-fourth and twenty-fifth sections).
    deals = batch_out_of_fold(x, y, ids, left_overs)
    model.threshold = batch_threshold(deals, y)
    p = _abstention_out_of_fold(x, y, folds, left_overs)
    pooled = np.concatenate(deals)
    pooled_y = np.tile(y, len(deals))
    model.meta = {
        "trained_on": f"eval/questions.jsonl split=tune ({len(y)} items reaching the decision, "
                      f"{int(y.sum())} answerable)",
        "threshold_from": f"writer batches held out, {len(deals)} deals pooled",
        "cv_false_refusals_by_batch": round(float((pooled[pooled_y == 1] < model.threshold).mean()), 4),
        "cv_unanswerable_refused_by_batch_at_threshold":
            round(float((pooled[pooled_y == 0] < model.threshold).mean()), 4),
        "cv_unanswerable_refused_by_batch": batch_cv(x, y, ids, left_overs, deals),
        # the same model's figures with folds by position, and the threshold they would choose
        "cv_false_refusals": round(float((p[y == 1] < model.threshold).mean()), 4),
        "cv_unanswerable_refused": round(float((p[y == 0] < model.threshold).mean()), 4),
        "threshold_by_position": round(refusal_threshold(p[y == 1]), 6),
        "trees": {k: v for k, v in ABSTENTION_TREES.items() if k not in ("verbose", "num_threads")},
        "date": dt.date.today().isoformat(), "rebuild": "bot train-abstention"}
    uncovered.meta |= {"trained_on": model.meta["trained_on"], "date": model.meta["date"],
                       "rebuild": "bot train-abstention"}
    model.save(path or ABSTENTION_PATH)
    # beside the abstention model: its ``uncovered`` input is this model's probability
    uncovered.save(Path(path).with_name(UNCOVERED_PATH.name) if path else UNCOVERED_PATH)
    service.answerer.abstention, service.answerer.uncovered = model, uncovered
    return model.meta


# Shares of all answerable tune questions: the false-refusal budgets the frontier is printed at, and the part of
# each the domain model may spend (the rest goes to the abstention model).
FRONTIER_TOTALS = (0.03, 0.04, 0.05)
FRONTIER_DOMAIN_SHARES = (0.0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025)


def refusal_frontier(service, tune: EvalSet) -> list[tuple[float, float, float, float, float, float]]:
    """Out of fold on tune, what refusing costs and buys when the domain model's and the abstention model's
    thresholds share one budget of false refusals. Rows: (total budget, domain share, answerable refused,
    unanswerable refused, out-of-domain refused, answerable turned away by the domain model). The shipped
    thresholds are each chosen alone (``MAX_IN_DOMAIN_TURNED_AWAY`` of answerable questions for the domain
    model, then ``MAX_FALSE_REFUSALS`` of those reaching the decision), so their refusals add up; the last
    row is that recipe. Every probability comes from a model not trained on the item (``train_abstention``'s
    folds; the domain model refitted per fold at the shipped C). Takes ~16 minutes."""
    from knowledge.domain import SIGNALS

    if tune.name != "tune":
        raise ValueError("the refusal frontier is measured on the tune split only")
    items, answerer = tune.items, service.answerer
    domain = answerer.domain
    x, _, answerable = domain_rows(service, items)
    out_of_domain = np.array([i["type"] == "outofdomain" for i in items])
    unanswerable = ~out_of_domain & ~answerable
    p_dom = domain_out_of_fold(x, out_of_domain.astype(np.int8), domain.meta["C"])
    # the gate does not apply to a question close to a written one or naming a catalogued programme
    gated = np.array([x[k, list(SIGNALS).index("asked_top1")] < domain.written_match
                      and not answerer.in_scope(understand(i["question"], i.get("history", [])).question)
                      for k, i in enumerate(items)])
    rankers = fold_rankers(service, items)
    sentence_models, pair_models = fold_sentence_models(service, items, rankers)
    settled: dict[str, bool] = {}
    answerer.domain = None  # every item's abstention row, whatever the domain model would say
    try:
        left_overs: list[list[str]] = []
        rows, labels, folds, ids = abstention_rows(service, items, rankers, sentence_models, pair_models, settled,
                                                            left_overs)
    finally:
        answerer.domain = domain
    position = {i["id"]: k for k, i in enumerate(items)}
    at = np.array([position[i] for i in ids])
    # trained as train_abstention trains: out-of-domain rows only where the shipped threshold lets them through
    trained = ~(out_of_domain[at] & gated[at] & (p_dom[at] >= domain.threshold))
    p_abs = np.full(len(items), np.inf)  # an item settled earlier is never refused by the abstention model
    p_abs[at] = _abstention_out_of_fold(rows, labels, folds, left_overs, trained)
    refused_early = np.array([settled.get(i["id"], False) for i in items])

    def outcome(t_dom: float, t_abs: float) -> tuple[float, float, float, float]:
        away = gated & (p_dom >= t_dom)
        refused = away | refused_early | (p_abs < t_abs)
        return (float(refused[answerable].mean()), float(refused[unanswerable].mean()),
                float(refused[out_of_domain].mean()), float(away[answerable].mean()))

    domain_sorted = np.sort(p_dom[answerable & gated])
    reaching = np.sort(p_abs[answerable & np.isfinite(p_abs)])
    out = []
    for total in FRONTIER_TOTALS:
        for share in FRONTIER_DOMAIN_SHARES:
            k = int(np.floor(share * answerable.sum()))
            t_dom = float(domain_sorted[-k]) if k else np.inf
            # the largest abstention threshold keeping all refusals of answerable questions within the budget
            # (refusals only grow with the threshold: stop at the first one over it)
            best = None
            for t in reaching:
                if outcome(t_dom, t)[0] > total:
                    break
                best = t
            if best is not None:
                out.append((total, share, *outcome(t_dom, best)))
    # the shipped recipe: each threshold chosen alone
    away = gated & (p_dom >= domain.threshold)
    t_abs = refusal_threshold(p_abs[answerable & ~away & np.isfinite(p_abs)])
    out.append((float("nan"), MAX_IN_DOMAIN_TURNED_AWAY, *outcome(domain.threshold, t_abs)))
    return out


def abstention_curve(service, model, items: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, answerable answered, unanswerable refused) over a range of thresholds, in aggregate."""
    x, y, _, _ = abstention_rows(service, items)
    p = model.probability(x) if len(x) else np.zeros(0)
    ok, no = p[y == 1], p[y == 0]
    return [(t, float((ok >= t).mean()) if len(ok) else 0.0, float((no < t).mean()) if len(no) else 0.0)
            for t in _thresholds(model)]


def answerability_curve(service, model, items: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, answerable answered, unanswerable refused) over a range of thresholds, in aggregate."""
    rows = sentence_rows(service, items)
    best = [(float(model.probabilities(r[0]).max()) if len(r[0]) else 0.0, r[2]) for r in rows]
    ok = np.array([b for b, a in best if a])
    no = np.array([b for b, a in best if not a])
    return [(t, float((ok >= t).mean()) if len(ok) else 0.0, float((no < t).mean()) if len(no) else 0.0)
            for t in _thresholds(model)]
