"""Learned word pairs: which sentence words answer which question words (real tokenizer, the shipped file)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answering.answerability import FEATURES, pair_columns
from bot.answering.pairs import PAIRS_PATH, PairsModelError, WordPairs
from tests.conftest import outputs_across_hash_seeds

# Three questions asking how long something takes; the answering sentence says 工作日, the others do not.
EXAMPLES = [
    (["审批", "多久"], [["审批", "工作日", "办结"], ["审批", "材料", "齐全"]], [True, False]),
    (["登记", "多久"], [["登记", "工作日", "完成"], ["登记", "窗口", "受理"]], [True, False]),
    (["备案", "多久"], [["备案", "工作日"], ["备案", "网站", "公布"]], [True, False]),
    (["备案", "多久"], [["备案", "网站"], ["备案", "工作日"]], [False, False]),  # no answer: teaches nothing
]


def test_a_pair_seen_beside_answering_sentences_gets_weight_and_shared_or_rare_pairs_none():
    pairs = WordPairs.learn(EXAMPLES)
    assert pairs.weights[("多久", "工作日")] == pytest.approx(np.log(4 / 1))  # the unanswered question skipped
    assert ("多久", "多久") not in pairs.weights  # a shared word is coverage's business
    assert ("多久", "材料") not in pairs.weights  # seen only beside a non-answer
    assert ("审批", "办结") not in pairs.weights  # seen once: one writer's wording
    assert ("备案", "网站") not in pairs.weights


def test_features_are_the_mean_and_max_of_each_question_words_strongest_pair():
    pairs = WordPairs({("多久", "工作日"): 1.5, ("费用", "元"): 0.5})
    mean, best = pairs.features(["多久", "费用"], ["工作日", "元", "办结"])
    assert (mean, best) == pytest.approx((1.0, 1.5))
    assert pairs.features(["多久", "费用"], ["多久", "窗口"]) == (0.0, 0.0)
    # a sentence word the question says itself bridges nothing
    assert pairs.features(["多久", "工作日"], ["工作日"]) == (0.0, 0.0)
    assert WordPairs.untrained().features(["多久"], ["工作日"]) == (0.0, 0.0)


def test_pair_columns_give_each_sentence_its_gap_to_the_best():
    pairs = WordPairs({("多久", "工作日"): 2.0})
    cols = pair_columns(pairs, ["多久", "审批"], [["工作日"], ["材料"]])
    assert cols.shape == (2, 3)
    assert cols[:, 0] == pytest.approx([1.0, 0.0]) and cols[:, 2] == pytest.approx([0.0, -1.0])
    assert pair_columns(pairs, ["多久"], []).shape == (0, 3)


def test_the_file_round_trips_and_a_missing_or_foreign_file_is_an_error(tmp_path):
    path = tmp_path / "pairs.json"
    WordPairs({("多久", "工作日"): 1.25}, {"pairs": 1}).save(path)
    back = WordPairs.load(path)
    assert back.weights == {("多久", "工作日"): 1.25} and back.meta == {"pairs": 1}
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "inputs": "characters"}), encoding="utf-8")
    with pytest.raises(PairsModelError, match="bot train-answerability"):
        WordPairs.load(path)
    path.unlink()
    with pytest.raises(PairsModelError, match="missing"):
        WordPairs.load(path)


def test_training_rows_get_pair_features_from_pairs_not_learned_from_their_own_question():
    from bot.train import FOLDS, _pair_folds, _with_pairs

    # eight copies of the same lesson, one fold's copies answered by another word
    examples = [(["多久"], [["工作日"], ["材料"]], [True, False]) for _ in range(8)]
    rows = [(np.zeros((2, len(FEATURES))), np.array(e[2], dtype=np.int8), True) for e in examples]
    out = _with_pairs(rows, examples, _pair_folds(examples))
    col = list(FEATURES).index("pairs")
    assert all(x[0, col] > 0 and x[1, col] == 0 for x, _, _ in out)
    lonely = examples[:1] + [(["多久"], [["材料"], ["工作日"]], [True, False])] * (FOLDS - 1)
    out = _with_pairs(rows[:FOLDS], lonely, _pair_folds(lonely))
    assert out[0][0][0, col] == 0  # its only evidence for 多久 → 工作日 is itself


def test_the_shipped_pairs_lift_a_sentence_that_answers_questions_asked_in_these_words(shipped_service):
    tok = shipped_service.searcher.tokenizer
    pairs = WordPairs.load(PAIRS_PATH)
    assert len(pairs.weights) > 1000
    question = tok.tokenize("青年人才在科学城买房能补多少钱？")
    answers = tok.tokenize("对符合条件的人才给予购房补贴。")
    beside = tok.tokenize("企业应当依法缴纳社会保险费。")
    assert pairs.features(question, answers)[0] > pairs.features(question, beside)[0]


def test_the_answerer_reads_its_pairs_into_the_sentence_features(shipped_service):
    from bot.answering.conversation import understand

    answerer = shipped_service.answerer
    a, _, sents, x = answerer.scored(understand("青年人才在科学城买房能补多少钱？"))
    col = list(FEATURES).index("pairs")
    assert len(sents) and x[:, col].max() > 0
    tok = shipped_service.searcher.tokenizer
    expected = pair_columns(answerer.pairs, tok.tokenize(a.retrieval_text), [tok.tokenize(s.text) for s in sents])
    assert np.allclose(x[:, col:col + 3], expected)


def test_the_service_refuses_to_start_without_its_pairs(shipped_settings, tmp_path):
    from bot.service import KnowledgeService

    settings = shipped_settings.model_copy(update={"pairs_path": tmp_path / "none.json"})
    with pytest.raises(PairsModelError, match="missing"):
        KnowledgeService(settings).load()


_IN_A_FRESH_PROCESS = """
from bot.answering.pairs import WordPairs
words = [f"词{i}" for i in range(40)]
pairs = WordPairs({(u, "答"): 0.1 * (1 + i % 7) for i, u in enumerate(words)})
print(repr(pairs.features(words, ["答"])))
"""


def test_a_questions_pair_features_are_the_same_bits_in_every_process():
    # string hashing (and so a set's order) differs per process; training on features whose last bits follow it
    # gave different trees from one run to the next
    assert len(outputs_across_hash_seeds(_IN_A_FRESH_PROCESS)) == 1
