"""Learned fusion: a ranking model over explainable per-candidate features, trained on the tune split.

The model is data (``knowledge/data/ranker.json``), rebuilt by ``bot train-ranker``; nothing here is a
hand-set weight. Features are computed for the union of the lexical and dense candidates of a query.
A missing or stale model file means the searcher falls back to its default score fusion, with a warning.
The model is a sum of small trees trained for the ranking itself (LambdaMART): it replaced a pairwise
logistic regression once the tune split had grown to ~1,700 scored questions (cross-validated hit@1
+0.8 to +1.1 points, folds by item and by writer batch; docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from pathlib import Path

import numpy as np

from knowledge.linear import ModelFileError
from knowledge.trees import BoostedModel

log = logging.getLogger(__name__)

_RUN = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]+")
RANKER_PATH = Path(__file__).resolve().parent / "data" / "ranker.json"

# Each feature, and why it may tell the right passage from a merely similar one.
FEATURES: dict[str, str] = {
    "lex": "BM25 score relative to the best lexical candidate (0 when BM25 did not find it)",
    "lex_rr": "reciprocal lexical rank",
    "dense": "cosine of query and passage vectors (exact, for every candidate)",
    "dense_gap": "how far the passage's cosine is below the best candidate's",
    "dense_rr": "reciprocal dense rank among the candidates",
    "doc_dense": "cosine of the query and the centroid of the passage's document: is this the right document?",
    "doc_gap": "how far that document cosine is below the best document's",
    "doc_votes": "share of the candidates (either retriever) that come from the same document",
    "doc_lex": "BM25 score of the passage's whole document relative to the best document's",
    "title_cov": "idf-weighted share of the query's words found in the document title",
    "coverage": "idf-weighted share of the query's words found in the passage (with its context)",
    "bigrams": "share of the question's character bigrams found in the passage (robust to word splits, typos, dialect)",
    "own_cov": "idf-weighted share of the current message's own words (not an earlier turn's) in the passage",
    "expansion_cov": "share of glossary/thesaurus expansion terms found in the passage",
    "thesaurus_cov": "share of thesaurus synonyms of the question's words found in the passage",
    "year_match": "the question names a year and the passage's document is the version of that year",
    "superseded": "the passage's document has a newer version and the question is about the present",
    "kind": "the passage states a fact of the kind asked (amount, period, date …)",
    "short": "log of the passage length (short articles are often definitions or headings)",
    "bigram_bm25": "BM25 over character bigrams relative to the best candidate's: idf-weighted, and blind to "
                   "word splits, so a typo or a dialect spelling costs one or two bigrams, not the word",
    "sentence_dense": "the best cosine of the query with one sentence of the passage: one sentence can say what "
                      "the question asks where the passage's vector, an average over ~500 characters, does not",
    "card_lex": "BM25 of the passage's document card (what it governs, everyday names of its subjects) relative "
                "to the best card's: a question in everyday words meets a statute in its own",
    "card_dense": "cosine of the query and the document card's vector",
    "card_gap": "how far that card cosine is below the best card's",
    "card_named": "the message names a phrase of the document's card verbatim (1 / how many cards list it)",
    "asked_gap": "how far the best question written for the passage (knowledge.asked) is below the best such "
                 "question overall, in cosine: a caller's wording meets a question in the same register",
    "asked_rr": "reciprocal rank of the passage among passages ranked by their nearest written question",
    "asked_lex": "BM25 of the passage's best written question relative to the best one's",
    "asked_doc_gap": "the same gap for the document's nearest written question: is this the right document?",
}


class RankerFileError(ModelFileError):
    """The ranking model file is missing, unreadable or was trained on other features."""


class TreeRanker(BoostedModel):
    """score = the boosted trees' output for a candidate's features (comparable within one query only)."""

    INPUTS = tuple(FEATURES)
    NAME = "ranking model"
    REBUILD = "bot train-ranker"
    ERROR = RankerFileError

    @property
    def features(self) -> list[str]:
        return list(self.INPUTS)

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.probability(x)

    @classmethod
    def load(cls, path: Path = RANKER_PATH) -> TreeRanker | None:
        """The model, or None (with a warning: the default fusion is used) when the file is not usable."""
        try:
            return cls.read(path)
        except ModelFileError as exc:
            log.warning("%s: using the default score fusion", exc)
            return None


def weighted_share(weights: dict[str, float], tokens: frozenset[str] | set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0


def bigram_list(text: str) -> list[str]:
    """Character bigrams of the CJK and alphanumeric runs of a text, repeats kept (the terms of bigram BM25)."""
    return [run[i:i + 2] for run in _RUN.findall(unicodedata.normalize("NFKC", text)) for i in range(len(run) - 1)]


def length_feature(n_chars: int) -> float:
    return math.log1p(n_chars) / 8.0
