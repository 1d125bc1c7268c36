"""The question prior: P(unanswerable) from the question's e5 vector (real scikit-learn fit, the real embedding
model, the shipped model file)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answering.prior import PRIOR_PATH, UNTRAINED, PriorModelError, QuestionPrior


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_fitting_learns_the_direction_of_questions_the_documents_leave_unanswered():
    from bot.train import fit_prior

    rng = np.random.default_rng(5)
    # unanswerable questions lean one way in the space, answerable ones another; the rest is noise
    lean = np.zeros(16)
    lean[0] = 2.0
    vectors = _unit(np.vstack([rng.normal(size=(40, 16)) + lean, rng.normal(size=(40, 16)) - lean]))
    answerable = np.array([0] * 40 + [1] * 40)
    prior = fit_prior(vectors, answerable)
    assert prior.meta["dimensions"] == 16
    assert prior.of(_unit(lean)) > 0.5 > prior.of(_unit(-lean))


def test_no_model_or_no_vector_has_no_opinion():
    assert QuestionPrior.untrained().of(np.ones(4)) == UNTRAINED
    fitted = QuestionPrior(np.ones(4), 0.0, np.zeros(4), np.ones(4))
    assert fitted.of(np.zeros(0)) == UNTRAINED  # an empty knowledge base embeds nothing


def test_the_file_round_trips_and_a_bad_one_fails_loudly(tmp_path):
    prior = QuestionPrior(np.array([0.5, -0.25, 0.0]), -0.1, np.zeros(3), np.ones(3), meta={"dimensions": 3})
    path = tmp_path / "prior.json"
    prior.save(path)
    again = QuestionPrior.load(path)
    v = np.array([0.6, 0.8, 0.0])
    assert again.of(v) == pytest.approx(prior.of(v))
    with pytest.raises(PriorModelError, match="4-dimensional vectors.*gives 3"):
        QuestionPrior(np.ones(4), 0.0, np.zeros(4), np.ones(4)).of(v)  # another embedding model's file
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(body | {"inputs": ["a domain model's signals"]}), encoding="utf-8")
    with pytest.raises(PriorModelError, match="other inputs.*bot train-abstention"):
        QuestionPrior.load(path)
    with pytest.raises(PriorModelError, match="missing"):
        QuestionPrior.load(tmp_path / "absent.json")


def test_the_shipped_prior_reads_the_shipped_embedding_models_vectors(shipped_service):
    prior = QuestionPrior.load(PRIOR_PATH)
    _, vector = shipped_service.searcher.domain_signals("高新技术企业认定后能享受哪些税收优惠？")
    assert len(vector) == prior.meta["dimensions"] == len(prior.weights)
    assert 0.0 < prior.of(vector) < 1.0
    assert shipped_service.answerer.prior.of(vector) == prior.of(vector)  # the service loaded the shipped file
