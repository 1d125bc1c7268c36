"""Is a question inside the knowledge base's domain at all? A calibrated model over measured signals.

Signals are how close the question comes to the corpus (best passage and document cosines), how much
of its vocabulary the corpus knows, how much of it the best lexical passages cover, and the question's
own e5 vector (what it is about: weather, food and celebrities sit in other regions of that space than
subsidies and statutes). A logistic regression trained on the tune split (out-of-domain items against
in-domain ones) turns them into P(out of domain); the threshold is chosen on tune for a bounded share of in-domain questions turned
away. Weights and threshold are data (``knowledge/data/domain.json``), rebuilt by ``bot train-domain``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.errors import KnowledgeError

DOMAIN_PATH = Path(__file__).resolve().parent / "data" / "domain.json"

SIGNALS: dict[str, str] = {
    "dense_top1": "cosine of the question and its nearest passage",
    "dense_top5": "mean cosine of its five nearest passages",
    "doc_top1": "cosine of the question and the nearest document centroid",
    "known_share": "share of the question's words that occur in the corpus",
    "known_idf": "idf-weighted share of the question's words that occur in the corpus",
    "lex_cover": "best idf-weighted coverage of the question's words by one of the top lexical passages",
    "length": "log of the number of the question's words",
}


def row(signals: dict[str, float], vector: np.ndarray) -> np.ndarray:
    """The model's input: the named signals, then the question vector."""
    return np.concatenate([[signals[k] for k in SIGNALS], np.asarray(vector, dtype=np.float64)])


class DomainModelError(KnowledgeError):
    """The domain model file is missing, unreadable or was trained on other signals."""


@dataclass
class DomainModel:
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # P(out of domain) at or above which the question gets the domain reply
    meta: dict = field(default_factory=dict)

    def probability(self, signals: dict[str, float], vector: np.ndarray) -> float:
        x = (row(signals, vector) - self.mean) / self.scale
        return float(1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias))))

    def out_of_domain(self, signals: dict[str, float], vector: np.ndarray) -> bool:
        return self.probability(signals, vector) >= self.threshold

    def save(self, path: Path = DOMAIN_PATH) -> None:
        body = {"signals": list(SIGNALS), "weights": [round(float(w), 6) for w in self.weights],
                "bias": round(float(self.bias), 6), "mean": [float(m) for m in self.mean],
                "scale": [float(s) for s in self.scale], "threshold": round(self.threshold, 6), "meta": self.meta}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DOMAIN_PATH) -> DomainModel:
        """The model; a missing, unreadable or stale file is an error at start, never a silent default."""
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DomainModelError(f"domain model {path} cannot be read ({exc}); run `bot train-domain`") from exc
        if body.get("signals") != list(SIGNALS):
            raise DomainModelError(f"domain model {path} was trained on other signals; run `bot train-domain`")
        return cls(np.array(body["weights"]), float(body["bias"]), np.array(body["mean"]), np.array(body["scale"]),
                   float(body["threshold"]), body.get("meta", {}))
