"""A linear model stored as data: weights over named, standardised inputs, a bias, a threshold.

The out-of-domain model is a logistic regression fitted by a ``bot
train…`` command; this is their one file format and their one reader. A file trained on other inputs
than the code computes is refused, never silently misread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from knowledge.errors import KnowledgeError


class ModelFileError(KnowledgeError):
    """A model file is missing, unreadable or was trained on other inputs."""


def read_model_body(path: Path, name: str, rebuild: str, error: type[ModelFileError], key: str, inputs: object
                    ) -> dict:
    """The JSON body of a model file whose ``key`` must equal ``inputs``; ``error`` when the file is missing,
    unreadable or was trained on other inputs, naming the command that rebuilds it."""
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{name} {path} is missing; run `{rebuild}`") from exc
    except (OSError, ValueError) as exc:
        raise error(f"{name} {path} cannot be read ({exc}); run `{rebuild}`") from exc
    if body.get(key) != inputs:
        raise error(f"{name} {path} was trained on other {key}; run `{rebuild}`")
    return body


@dataclass
class LinearModel:
    """decision = w · standardised(x) + b; probability = its logistic."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float = 0.0
    meta: dict = field(default_factory=dict)

    # Set by each model: the names of its inputs (in column order), the key they are stored under,
    # the command that rebuilds the file, and the error raised for a bad file.
    INPUTS: ClassVar[tuple[str, ...]] = ()
    INPUTS_KEY: ClassVar[str] = "features"
    NAME: ClassVar[str] = "model"
    REBUILD: ClassVar[str] = ""
    ERROR: ClassVar[type[ModelFileError]] = ModelFileError

    def decision(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, dtype=np.float64) - self.mean) / self.scale) @ self.weights + self.bias

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(x)))

    def save(self, path: Path) -> None:
        body = {self.INPUTS_KEY: list(self.INPUTS), "weights": [round(float(w), 6) for w in self.weights],
                "bias": round(float(self.bias), 6), "mean": [float(m) for m in self.mean],
                "scale": [float(s) for s in self.scale], "threshold": round(float(self.threshold), 6),
                "meta": self.meta}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path):
        """The model in ``path``; ``cls.ERROR`` when the file is missing, unreadable or for other inputs."""
        body = read_model_body(path, cls.NAME, cls.REBUILD, cls.ERROR, cls.INPUTS_KEY, list(cls.INPUTS))
        return cls(np.array(body["weights"], dtype=np.float64), float(body["bias"]), np.array(body["mean"]),
                   np.array(body["scale"]), float(body.get("threshold", 0.0)), body.get("meta", {}))
