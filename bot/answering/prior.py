"""P(unanswerable) from what the question means, before any passage is read: a logistic regression over its
e5 vector.

Some questions are the kind the documents seldom answer whatever their subject: a fee schedule's exact figure,
a deadline of this year's round, whether one's own company qualifies, which firm holds a licence, a comparison
with another city. Their wording varies (好多钱, 收费多少, 几块钱) but their meaning sits together, and the
question's e5 vector, computed anyway for the domain signals, carries it. The left-over words model
(``bot.answering.uncovered``) reads the words a sentence lacks one by one; this reads the whole question at once,
so an unseen wording of a familiar kind of question shares its weight. Its probability is an input of the
abstention model, trained on the tune split with it (``bot train-abstention``); the weights are data
(``knowledge/data/prior.json``), learned, never listed by hand.

Out of fold on tune with whole writer batches held out (six deals, the abstention rows of the twenty-eighth
section's kept run), the column took unanswerable questions refused at 3% false refusals from 0.813 to 0.846;
every deal gained (docs/benchmarks.md, twenty-ninth section).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.linear import LinearModel, ModelFileError

PRIOR_PATH = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "prior.json"

# What the model's input is; a file trained on another input is refused.
VECTOR = "the question's e5 query vector (the message as understood, QueryAnalysis.question)"
UNTRAINED = 0.5  # no model: no opinion, as the left-over words model's untrained probability


class PriorModelError(ModelFileError):
    """The question prior file is missing, unreadable, or was trained on another input or embedding size."""


class QuestionPrior(LinearModel):
    """P(unanswerable) = logistic(w · vector + b)."""

    INPUTS = (VECTOR,)
    INPUTS_KEY = "inputs"
    NAME = "question prior"
    REBUILD = "bot train-abstention"
    ERROR = PriorModelError

    def of(self, vector: np.ndarray) -> float:
        """The probability for one question vector; ``UNTRAINED`` when there is no model or no vector (an
        empty knowledge base)."""
        if not len(self.weights) or not len(vector):
            return UNTRAINED
        if len(vector) != len(self.weights):
            raise PriorModelError(f"{self.NAME} was trained on {len(self.weights)}-dimensional vectors, the "
                                  f"embedding model gives {len(vector)}; run `{self.REBUILD}`")
        return float(self.probability(np.asarray(vector, dtype=np.float64)))

    @classmethod
    def untrained(cls) -> QuestionPrior:
        """``UNTRAINED`` for every question: for the training commands, which compute features before any model."""
        return cls(np.zeros(0), 0.0, np.zeros(0), np.ones(0), meta={"untrained": True})

    @classmethod
    def load(cls, path: Path = PRIOR_PATH) -> QuestionPrior:
        return cls.read(path)
