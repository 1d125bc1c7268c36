"""P(unanswerable) from what the question asks that its most probable sentence does not say.

An unanswerable question about a live document retrieves the right passage: the sentence the answerer would
quote names the programme, the office, the procedure. What it lacks is the asked detail, and the question's
words for that detail are left over: 电话, 网址, 截止, 工作日, 多少钱, 报名 … A logistic regression over those
left-over words (and their character bigrams, so that an unseen word shares weight with a seen one) learns which
left-overs mean "the fact is not here" and which are only a caller's own wording (搞, 一直, 另外). It is
trained on the tune split with the abstention model (``bot train-abstention``), whose input its probability is;
the words and weights are data (``knowledge/data/uncovered.json``), learned, never listed by hand.

Grouped by writer batch, out of fold on tune, the probability took unanswerable questions refused at 3% false
refusals from 0.751 to 0.833 (docs/benchmarks.md, twenty-first section). Trained on the blind writers' banks
instead (knowledge.unanswered against knowledge.asked) it did far less (0.760 → 0.769, rows in random folds): the banks' left-overs
tell their writers' styles apart more than answered from unanswered.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.lexical import Tokenizer
from knowledge.linear import ModelFileError, read_model_body

UNCOVERED_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "uncovered.json"

# What the model's inputs are; a file trained on other inputs is refused (bump it when ``left_over`` changes).
FORM = "question tokens absent from the most probable sentence, and their character bigrams (#xy)"
BIGRAM = "#"  # marks a character bigram among the terms
_NUMERIC = re.compile(r"[\d.]+")  # a number left over says nothing about what is asked


class UncoveredModelError(ModelFileError):
    """The left-over words model file is missing, unreadable or was trained on other inputs."""


def left_over(tokenizer: Tokenizer, question: str, sentence: str) -> list[str]:
    """The question's words the sentence does not contain (each once), then their character bigrams."""
    said = set(tokenizer.tokenize(sentence))
    words = [w for w in dict.fromkeys(tokenizer.tokenize(question)) if w not in said and not _NUMERIC.fullmatch(w)]
    return words + [BIGRAM + w[i:i + 2] for w in words for i in range(max(1, len(w) - 1))]


@dataclass
class UncoveredModel:
    """P(unanswerable) = logistic(bias + the weights of the terms present); unknown terms weigh nothing."""

    weights: dict[str, float]
    bias: float
    meta: dict = field(default_factory=dict)

    NAME = "left-over words model"
    REBUILD = "bot train-abstention"

    def probability(self, terms: list[str]) -> float:
        # fsum: the same bits whatever order the set comes in (it changes with each process's string hashing)
        z = self.bias + math.fsum(self.weights.get(t, 0.0) for t in set(terms))
        return 1.0 / (1.0 + math.exp(-z))

    def probabilities(self, terms: list[list[str]]) -> list[float]:
        return [self.probability(t) for t in terms]

    @classmethod
    def untrained(cls) -> UncoveredModel:
        """0.5 for every question: for the training commands, which compute features before any model exists."""
        return cls({}, 0.0, {"untrained": True})

    def save(self, path: Path = UNCOVERED_PATH) -> None:
        body = {"inputs": FORM, "bias": round(self.bias, 6),
                "weights": {t: round(w, 6) for t, w in sorted(self.weights.items()) if round(w, 6)},
                "meta": self.meta}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> UncoveredModel:
        body = read_model_body(path, cls.NAME, cls.REBUILD, UncoveredModelError, "inputs", FORM)
        return cls({str(t): float(w) for t, w in body["weights"].items()}, float(body["bias"]), body.get("meta", {}))

    @classmethod
    def load(cls, path: Path = UNCOVERED_PATH) -> UncoveredModel:
        return cls.read(path)
