"""Tree models as data files: trained with real LightGBM, written, read back, refused when they do not fit."""

import json

import lightgbm
import numpy as np
import pytest

from knowledge.trees import BoostedModel


class TwoInputs(BoostedModel):
    INPUTS = ("size", "colour")
    NAME = "toy model"
    REBUILD = "make toy"


def _toy() -> TwoInputs:
    """Positive exactly when both inputs are large: an interaction one weight per input cannot express."""
    rng = np.random.default_rng(7)
    x = rng.random((600, 2))
    y = ((x[:, 0] > 0.5) & (x[:, 1] > 0.5)).astype(int)
    trees = lightgbm.LGBMClassifier(n_estimators=60, num_leaves=4, min_child_samples=5, verbose=-1,
                                    deterministic=True, num_threads=1).fit(x, y)
    return TwoInputs(trees.booster_, 0.4, {"note": "toy"})


def test_written_and_read_back_gives_the_same_probabilities(tmp_path):
    model = _toy()
    model.save(tmp_path / "toy.json")
    again = TwoInputs.read(tmp_path / "toy.json")
    x = np.array([[0.9, 0.9], [0.9, 0.1], [0.1, 0.9]])
    assert np.allclose(again.probability(x), model.probability(x))
    assert again.threshold == pytest.approx(0.4) and again.meta == {"note": "toy"}
    p = again.probability(x)
    assert p[0] > 0.5 > max(p[1], p[2])  # learned the interaction


def test_a_file_for_other_inputs_or_broken_is_refused_with_the_rebuild_command(tmp_path):
    path = tmp_path / "toy.json"
    _toy().save(path)
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "features": ["size"]}), encoding="utf-8")
    with pytest.raises(Exception, match="other features; run `make toy`"):
        TwoInputs.read(path)
    path.write_text(json.dumps({**body, "lightgbm": "not a model"}), encoding="utf-8")
    with pytest.raises(Exception, match="cannot be read"):
        TwoInputs.read(path)
    with pytest.raises(Exception, match="is missing"):
        TwoInputs.read(tmp_path / "absent.json")
