"""A gradient-boosted tree model stored as data: LightGBM's own text format inside a JSON file.

Where inputs interact (a sentence that states an amount matters only when an amount is asked), a sum of
small trees ranks better than one weight per input; the answerability and ranking models are such sums
(each measured against the logistic regression it replaced: docs/benchmarks.md). The file holds the
names of the inputs, the model, a threshold and how it was trained; a file trained on other inputs than
the code computes is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import lightgbm
import numpy as np

from knowledge.linear import ModelFileError


@dataclass
class BoostedModel:
    """probability = the booster's output: a probability for 0/1 (binary) training, a score comparable within
    one query for ranking (lambdarank) training; ``booster`` None: 0.5 for all."""

    booster: lightgbm.Booster | None
    threshold: float = 0.0
    meta: dict = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)  # further learned values a model's user reads

    # Set by each model, as for knowledge.linear.LinearModel.
    INPUTS: ClassVar[tuple[str, ...]] = ()
    NAME: ClassVar[str] = "model"
    REBUILD: ClassVar[str] = ""
    ERROR: ClassVar[type[ModelFileError]] = ModelFileError

    def probability(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(self.INPUTS))
        if self.booster is None:
            return np.full(len(x), 0.5)
        # one thread: a question scores a few dozen rows, where threads cost more than they save
        return np.asarray(self.booster.predict(x, num_threads=1), dtype=np.float64)

    def save(self, path: Path) -> None:
        if self.booster is None:
            raise ValueError(f"an untrained {self.NAME} is not saved")
        body = {"features": list(self.INPUTS), "threshold": round(float(self.threshold), 6),
                "params": {k: round(float(v), 6) for k, v in self.params.items()}, "meta": self.meta,
                "lightgbm": self.booster.model_to_string()}
        Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path):
        """The model in ``path``; ``cls.ERROR`` when the file is missing, unreadable or for other inputs."""
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
            if body.get("features") != list(cls.INPUTS):
                raise cls.ERROR(f"{cls.NAME} {path} was trained on other features; run `{cls.REBUILD}`")
            booster = lightgbm.Booster(model_str=body["lightgbm"])
        except FileNotFoundError as exc:
            raise cls.ERROR(f"{cls.NAME} {path} is missing; run `{cls.REBUILD}`") from exc
        except (OSError, ValueError, KeyError, lightgbm.basic.LightGBMError) as exc:
            raise cls.ERROR(f"{cls.NAME} {path} cannot be read ({exc}); run `{cls.REBUILD}`") from exc
        if booster.num_feature() != len(cls.INPUTS):
            raise cls.ERROR(f"{cls.NAME} {path} was trained on other features; run `{cls.REBUILD}`")
        return cls(booster, float(body.get("threshold", 0.0)), body.get("meta", {}),
                   {k: float(v) for k, v in body.get("params", {}).items()})
