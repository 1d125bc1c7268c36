"""The left-over words model: what a question asks that its best sentence does not say (real tokenizer, real
scikit-learn fit, the shipped model file)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answering.abstention import QUESTION_FEATURES
from bot.answering.uncovered import (
    BIGRAM,
    UNCOVERED_PATH,
    UncoveredModel,
    UncoveredModelError,
    left_over,
)
from knowledge.lexical import Tokenizer
from tests.conftest import outputs_across_hash_seeds


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


def test_left_over_words_are_the_questions_words_the_sentence_lacks_then_their_bigrams(tokenizer):
    words = left_over(tokenizer, "创业孵化基地的入驻租金怎么收？", "创业孵化基地为入驻团队提供办公场地。")
    plain = [w for w in words if not w.startswith(BIGRAM)]
    assert "租金" in plain
    assert not {"创业", "孵化", "入驻"} & set(plain)  # said by the sentence
    assert BIGRAM + "租金" in words and words.index(BIGRAM + "租金") > len(plain) - 1  # bigrams come after
    assert left_over(tokenizer, "入驻租金怎么收？", "入驻租金怎么收，由基地确定。") == []


def test_a_number_left_over_says_nothing_about_what_is_asked(tokenizer):
    words = left_over(tokenizer, "2025年的补贴标准是什么？", "补贴按季度发放。")
    assert "2025" not in words and "标准" in words


def test_probability_sums_the_weights_of_the_terms_present_once_each():
    model = UncoveredModel({"租金": 2.0, BIGRAM + "租金": 1.0, "怎么": -0.5}, -1.0)
    assert model.probability([]) == pytest.approx(1 / (1 + np.exp(1.0)))
    assert model.probability(["租金", "租金", BIGRAM + "租金"]) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert model.probability(["一个从未见过的词"]) == model.probability([])
    assert UncoveredModel.untrained().probability(["租金"]) == 0.5


def test_the_model_file_round_trips_and_a_missing_or_foreign_file_is_an_error(tmp_path):
    path = tmp_path / "uncovered.json"
    UncoveredModel({"电话": 1.25, "搞": -0.75}, 0.5, {"C": 0.3}).save(path)
    back = UncoveredModel.load(path)
    assert back.weights == {"电话": 1.25, "搞": -0.75} and back.bias == 0.5 and back.meta == {"C": 0.3}
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "inputs": "whole questions"}), encoding="utf-8")
    with pytest.raises(UncoveredModelError, match="bot train-abstention"):
        UncoveredModel.load(path)
    path.unlink()
    with pytest.raises(UncoveredModelError, match="missing"):
        UncoveredModel.load(path)


def test_fitting_learns_which_left_overs_mean_the_fact_is_absent():
    from bot.train import fit_uncovered

    # 40 rows: an asked detail left over (网址) in the unanswerable ones, a caller's own wording (咋个) in the others
    rows = [["网址", BIGRAM + "网址"]] * 20 + [["咋个", BIGRAM + "咋个"]] * 20
    answerable = np.array([0] * 20 + [1] * 20)
    model = fit_uncovered(rows, answerable)
    assert model.weights["网址"] > 0 > model.weights["咋个"]
    assert model.probability(["网址"]) > 0.5 > model.probability(["咋个"])


def test_a_rows_uncovered_column_never_depends_on_its_own_answer():
    from bot.train import _uncovered_column

    rng = np.random.default_rng(7)
    vocab = ["网址", "电话", "截止", "咋个", "一直", "另外"]
    rows = [list(rng.choice(vocab, size=2, replace=False)) for _ in range(60)]
    y = rng.integers(0, 2, 60)
    x = np.zeros((60, len(QUESTION_FEATURES)))
    folds = np.arange(60) % 4
    before = _uncovered_column(x, rows, y, folds)
    flipped = y.copy()
    flipped[5] = 1 - flipped[5]
    after = _uncovered_column(x, rows, flipped, folds)
    col = list(QUESTION_FEATURES).index("uncovered")
    assert after[5, col] == before[5, col]  # row 5's own label is not in the model that scores it
    assert not np.allclose(after[folds != folds[5], col], before[folds != folds[5], col])  # other folds' is


def test_the_shipped_model_scores_an_asked_detail_the_sentence_lacks_as_less_answerable(tokenizer):
    model = UncoveredModel.load(UNCOVERED_PATH)
    question = "青年人才驿站的咨询电话是多少？"
    lacks = left_over(tokenizer, question, "青年人才驿站为来渝求职的高校毕业生提供免费住宿。")
    states = left_over(tokenizer, question, "青年人才驿站咨询电话为023-12345678，可咨询入住事宜。")
    assert "电话" in lacks and "电话" not in states
    assert model.probability(lacks) > model.probability(states)


def test_fold_models_learn_nothing_from_rows_they_may_not_train_on():
    from bot.train import _abstention_folds

    # 80 rows in 4 folds; the last 20 (not trainable: out-of-domain questions the domain model turns away)
    # carry a word of their own, 天气, and are all unanswerable
    rows = [["网址"]] * 20 + [["咋个"]] * 20 + [["截止"]] * 20 + [["天气"]] * 20
    y = np.array([0] * 20 + [1] * 20 + [0, 1] * 10 + [0] * 20)
    x = np.random.default_rng(3).random((80, len(QUESTION_FEATURES)))
    folds = list(np.arange(80) % 4)
    trained = np.arange(80) < 60
    _, uncovered, held = _abstention_folds(x, y, folds, rows, trained)
    assert all("天气" not in m.weights for m in uncovered)
    col = list(QUESTION_FEATURES).index("uncovered")
    # scored by each fold's bias alone: the word is unknown to every model
    assert all(held[i, col] == uncovered[folds[i]].probability([]) for i in range(60, 80))


def _writers() -> tuple[np.ndarray, np.ndarray, list[str], list[list[str]]]:
    """16 writers of 40 questions: half wrote only unanswerable ones, and each leaves over a word of its own;
    the features carry no other signal."""
    rng = np.random.default_rng(11)
    ids, words, y = [], [], []
    for b in range(16):
        for i in range(40):
            ids.append(f"w{b}-{i:03d}")
            words.append([f"口头禅{b}"])
            y.append(b % 2)
    y = np.array(y)
    return rng.random((len(y), len(QUESTION_FEATURES))), y, ids, words


def test_holding_out_whole_writer_batches_removes_what_only_a_batchs_wording_teaches():
    from bot.evaluation import writer_batch
    from bot.train import FOLDS, _abstention_out_of_fold, batch_cv, batch_folds, refusal_threshold

    assert writer_batch("tr-ood-086") == "tr-ood" and writer_batch("sa-001") == "sa"
    x, y, ids, words = _writers()
    folds = batch_folds(ids, seed=0)
    dealt = {}
    for i, f in zip(ids, folds, strict=True):
        dealt.setdefault(writer_batch(i), set()).add(f)
    assert all(len(f) == 1 for f in dealt.values())  # a batch is never split between folds
    assert set(folds) == set(range(FOLDS))
    p = _abstention_out_of_fold(x, y, [k % FOLDS for k in range(len(y))], words)
    by_position = float((p[y == 0] < refusal_threshold(p[y == 1])).mean())
    by_batch = batch_cv(x, y, ids, words)
    assert by_position > 0.5 > 0.2 > by_batch  # the writers' words tell answers apart only for writers already read


def test_the_threshold_from_held_out_writers_keeps_the_refusal_budget_for_a_new_writer():
    from bot.train import (
        BATCH_ASSIGNMENTS,
        FOLDS,
        MAX_FALSE_REFUSALS,
        _abstention_out_of_fold,
        batch_out_of_fold,
        batch_threshold,
        refusal_threshold,
    )

    x, y, ids, words = _writers()
    deals = batch_out_of_fold(x, y, ids, words)
    assert len(deals) == BATCH_ASSIGNMENTS and all(d.shape == y.shape for d in deals)
    by_batch = batch_threshold(deals, y)
    pooled = np.concatenate([d[y == 1] for d in deals])
    assert (pooled < by_batch).mean() <= MAX_FALSE_REFUSALS
    # by position every writer is known to the model: its answerable rows score high, and a threshold set among
    # them would refuse most of a new writer's answerable questions, which score like the held-out batches'
    by_position = refusal_threshold(_abstention_out_of_fold(x, y, [k % FOLDS for k in range(len(y))], words)[y == 1])
    assert by_batch < by_position
    assert (pooled < by_position).mean() > 5 * MAX_FALSE_REFUSALS


_IN_A_FRESH_PROCESS = """
from bot.answering.uncovered import UncoveredModel
terms = [f"词{i}" for i in range(40)]
model = UncoveredModel({t: 0.1 * (1 + i % 7) for i, t in enumerate(terms)}, -15.4)  # near P = 0.5, where the bits show
print(repr(model.probability(terms)))
"""


def test_the_probability_is_the_same_bits_in_every_process():
    # the abstention trees read it: bits that follow the set's order made their rows differ between runs
    assert len(outputs_across_hash_seeds(_IN_A_FRESH_PROCESS)) == 1
