"""P(this sentence answers the question): a logistic regression over explainable sentence features.

Trained on sentence labels derived from the tune split's gold quotes (``bot train-answerability``);
the answerer quotes the most probable sentences and refuses when even the best is below the threshold,
which is chosen on tune for at most 3% answerable questions refused. Weights and threshold are data
(``knowledge/data/answerability.json``); a missing or stale file is an error at start.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.errors import KnowledgeError

ANSWERABILITY_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "answerability.json"

FEATURES: dict[str, str] = {
    "coverage": "idf-weighted share of the question's words in the sentence (with its chapter context)",
    "passage_coverage": "the same share over the whole retrieved passage the sentence stands in",
    "subject": "the sentence names the question's most specific word (or the glossary's word for it)",
    "subject_share": "idf-weighted share of the question's subject words (frame words left out) in the sentence",
    "rank": "reciprocal retrieval rank of the passage",
    "retrieval": "the passage's retrieval score relative to the best and worst retrieved",
    "kind_stated": "the sentence states a fact of a kind the question asks (amount, period, date, place …)",
    "kind_missing": "the question asks a specific kind of fact and the sentence states none of it",
    "total_for_standard": "a per-person standard is asked and the sentence gives a total or no standard",
    "counted_missing": "a count is asked and the sentence does not name what is counted (808家企业 is no count of cinemas)",
    "subject_unknown": "a figure is asked of something no document names (房价是多少): nothing can state it",
    "number": "the sentence contains a number",
    "length": "log of the sentence length",
    "lead_in": "the sentence introduces a list (ends with a colon)",
    "first": "the sentence opens its passage (an article's main rule, a paragraph's lead)",
}


class AnswerabilityModelError(KnowledgeError):
    """The answerability model file is missing, unreadable or was trained on other features."""


@dataclass
class AnswerabilityModel:
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # the best sentence's probability below which the question is refused
    meta: dict = field(default_factory=dict)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path = ANSWERABILITY_PATH) -> None:
        body = {"features": list(FEATURES), "weights": [round(float(w), 6) for w in self.weights],
                "bias": round(float(self.bias), 6), "mean": [float(m) for m in self.mean],
                "scale": [float(s) for s in self.scale], "threshold": round(self.threshold, 6), "meta": self.meta}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = ANSWERABILITY_PATH) -> AnswerabilityModel:
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AnswerabilityModelError(
                f"answerability model {path} cannot be read ({exc}); run `bot train-answerability`") from exc
        if body.get("features") != list(FEATURES):
            raise AnswerabilityModelError(
                f"answerability model {path} was trained on other features; run `bot train-answerability`")
        return cls(np.array(body["weights"]), float(body["bias"]), np.array(body["mean"]), np.array(body["scale"]),
                   float(body["threshold"]), body.get("meta", {}))


def length_feature(n_chars: int) -> float:
    return math.log1p(n_chars) / 6.0
