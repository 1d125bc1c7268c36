"""Which sentence words answer which question words: word pairs learned from the tune split's gold quotes.

Shared words (coverage) and the e5 cosine say how close a sentence is to the question, not whether it is the
sentence that answers questions asked in these words. For every tune question and each candidate sentence of its
retrieved passages, each pair (question word, sentence word) of different words is counted once, on the answering
side when the sentence overlaps a gold quote, else on the other. A pair seen more often beside answering sentences
than beside the others (and at least ``MIN_SEEN`` times) gets weight log((answering + 1) / (other + 1)); the rest
weigh nothing. A sentence's features are, over the question's words, the mean and the maximum of each word's
strongest pair in the sentence. What the pairs learn is mostly which sentence answers the questions asked about a
programme or a rule (多少钱 with 购房补贴, 多长时间 with a period of an article), a memory of the questions people ask
about these documents, like ``knowledge.asked``'s written questions; an unseen subject gets no help from them.

Out of fold on tune (4 folds, the training rows' own pair features out of fold) the right sentence ranks first
0.803 → 0.819; the question-level figures are in docs/benchmarks.md (twenty-seventh section). The pairs are data
(``knowledge/data/pairs.json``), learned, never listed by hand, rebuilt by ``bot train-answerability``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.linear import ModelFileError, read_model_body

PAIRS_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "pairs.json"

# What the pairs are of; a file learned from other inputs is refused (bump it when the tokens change).
FORM = "question retrieval-text tokens x candidate sentence tokens, log((answering + 1) / (other + 1))"
MIN_SEEN = 2  # a pair seen once is one writer's wording, not a bridge
SEP = "\t"  # between the two words of a pair in the file


class PairsModelError(ModelFileError):
    """The word-pairs file is missing, unreadable or was learned from other inputs."""


@dataclass
class WordPairs:
    """weight(question word, sentence word) > 0 for pairs seen more beside answering sentences."""

    weights: dict[tuple[str, str], float]
    meta: dict = field(default_factory=dict)

    NAME = "word-pairs model"
    REBUILD = "bot train-answerability"

    @classmethod
    def learn(cls, examples: Iterable[tuple[Iterable[str], list[Iterable[str]], Iterable[bool]]]) -> WordPairs:
        """``examples``: per question, its words, its candidate sentences' words and whether each answers.
        Questions without an answering candidate teach nothing about bridges and are skipped."""
        answering, other = Counter(), Counter()
        for question, sentences, labels in examples:
            labels = list(labels)
            if not any(labels):
                continue
            q = set(question)
            for words, label in zip(sentences, labels, strict=True):
                pairs = {(u, v) for u in q for v in set(words) if u != v}
                (answering if label else other).update(pairs)
        weights = {}
        for pair, n in answering.items():
            m = other.get(pair, 0)
            if n > m and n + m >= MIN_SEEN:
                weights[pair] = math.log((n + 1) / (m + 1))
        return cls(weights)

    def features(self, question: Iterable[str], sentence: Iterable[str]) -> tuple[float, float]:
        """Mean and maximum, over the question's words, of the word's strongest pair with a sentence word
        the question does not itself contain."""
        q = set(question)
        said = set(sentence) - q
        best = [max((self.weights.get((u, v), 0.0) for v in said), default=0.0) for u in q]
        # fsum: the set's order changes with each process's string hashing, and a plain sum's last bits with it
        # (trees trained on those bits were not the same from one run to the next)
        return (math.fsum(best) / len(best), max(best)) if best else (0.0, 0.0)

    @classmethod
    def untrained(cls) -> WordPairs:
        """No pairs: every feature 0, for the training commands, which compute features before any file."""
        return cls({}, {"untrained": True})

    def save(self, path: Path = PAIRS_PATH) -> None:
        body = {"inputs": FORM, "meta": self.meta,
                "pairs": {f"{u}{SEP}{v}": round(w, 4) for (u, v), w in sorted(self.weights.items())}}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = PAIRS_PATH) -> WordPairs:
        body = read_model_body(path, cls.NAME, cls.REBUILD, PairsModelError, "inputs", FORM)
        weights = {}
        for key, w in body["pairs"].items():
            u, _, v = key.partition(SEP)
            weights[(u, v)] = float(w)
        return cls(weights, body.get("meta", {}))
