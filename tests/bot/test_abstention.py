"""The refuse-or-answer decision: its question features on small inputs, the shipped model file, and how
its threshold chooses between a refusal and a partial answer (real tokenizer, shipped corpus)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from bot.answering.abstention import (
    ABSTENTION_PATH,
    QUESTION_FEATURES,
    AbstentionModel,
    AbstentionModelError,
    question_features,
)
from bot.answering.answerability import FEATURES
from knowledge.domain import SIGNALS
from knowledge.models import Chunk, Hit

COL = {name: i for i, name in enumerate(QUESTION_FEATURES)}
SENTENCE = {name: i for i, name in enumerate(FEATURES)}


def _hit(score: float) -> Hit:
    chunk = Chunk(doc_id="t", title="测试办法", section="第二条", source="测试办法(2025-03-01).md",
                  version_date="2025-03-01", text="申请人应当提交营业执照。", start=0, end=12, chunk_id="t-1")
    return Hit(chunk=chunk, score=score)


def _signals(value: float) -> dict[str, float]:
    return dict.fromkeys(SIGNALS, value)


def test_question_features_read_the_most_probable_sentences_the_kinds_and_the_domain_signals():
    x = np.zeros((4, len(FEATURES)))
    x[:, SENTENCE["coverage"]] = [0.1, 0.9, 0.4, 0.2]
    x[3, SENTENCE["kind_stated"]] = 1.0  # the least probable states the kind asked
    scores = np.array([0.2, 0.8, 0.5, 0.1])
    row = question_features(x, scores, [_hit(3.5)], {"amount", "duration"}, {"duration"}, _signals(0.25))[0]
    assert row[COL["best"]] == pytest.approx(0.8) and row[COL["second"]] == pytest.approx(0.5)
    assert row[COL["top_mean"]] == pytest.approx((0.8 + 0.5 + 0.2) / 3)
    assert row[COL["top_coverage"]] == pytest.approx(0.9)  # the best sentence's own features
    assert row[COL["kind_near_top"]] == 1.0  # 4 sentences: all within the window
    assert row[COL["kind_asked"]] == 1.0 and row[COL["kinds_asked"]] == 2.0
    assert row[COL["some_unstated"]] == 1.0 and row[COL["all_unstated"]] == 0.0
    assert row[COL["passage_score"]] == pytest.approx(3.5)
    assert all(row[COL[f"domain_{k}"]] == pytest.approx(0.25) for k in SIGNALS)
    assert row[COL["followup"]] == 0.0
    assert row[COL["unanswered_margin"]] == pytest.approx(-0.25)  # no bank question near: 0 − asked_top1
    continued = question_features(x, scores, [_hit(3.5)], {"amount"}, set(), _signals(0.25), followup=True,
                                  unanswered=0.75)[0]
    assert continued[COL["followup"]] == 1.0
    assert continued[COL["unanswered_margin"]] == pytest.approx(0.5)  # nearer a bank question than a written one
    assert row[COL["uncovered"]] == 0.5  # no left-over words model: no opinion
    assert question_features(x, scores, [_hit(3.5)], set(), set(), _signals(0.25), uncovered=0.9)[0][
        COL["uncovered"]] == pytest.approx(0.9)

    none_stated = question_features(x, scores, [_hit(1.0)], {"amount"}, {"amount"}, _signals(0.0))[0]
    assert none_stated[COL["all_unstated"]] == 1.0
    nothing_asked = question_features(x, scores, [_hit(1.0)], set(), set(), _signals(0.0))[0]
    assert nothing_asked[COL["kind_asked"]] == 0.0 and nothing_asked[COL["all_unstated"]] == 0.0


def test_question_features_of_a_question_without_candidates_are_zeros_not_an_error():
    row = question_features(np.zeros((0, len(FEATURES))), np.zeros(0), [], set(), set(), _signals(0.5))[0]
    assert row.shape == (len(QUESTION_FEATURES),)
    assert row[COL["best"]] == 0.0 and row[COL["passage_score"]] == 0.0


def test_the_shipped_abstention_model_loads_and_a_file_on_other_features_is_an_error(tmp_path):
    model = AbstentionModel.load()
    assert 0.0 < model.threshold < 1.0
    p = model.probability(np.zeros((2, len(QUESTION_FEATURES))))
    assert p.shape == (2,) and ((p >= 0) & (p <= 1)).all()
    assert not AbstentionModel.untrained().refuses(np.zeros((1, len(QUESTION_FEATURES))))
    body = json.loads(ABSTENTION_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "abstention.json"
    path.write_text(json.dumps({**body, "features": [*QUESTION_FEATURES, "a feature the code does not compute"]}),
                    encoding="utf-8")
    with pytest.raises(AbstentionModelError, match="bot train-abstention"):
        AbstentionModel.load(path)
    path.unlink()
    with pytest.raises(AbstentionModelError):
        AbstentionModel.load(path)


def test_the_threshold_decides_between_refusing_and_quoting_with_what_is_not_listed(shipped_service):
    # passages about the fee that state no amount: refused when the model refuses, otherwise quoted with a
    # plain note of what they do not list (the threshold moved to both ends, whatever the shipped model says)
    question = "生活垃圾处理费一个月交多少？"
    answerer = shipped_service.answerer
    shipped = answerer.abstention
    try:
        answerer.abstention = replace(shipped, threshold=1.01)
        refused = answerer.answer(question)
        answerer.abstention = replace(shipped, threshold=-1.0)
        partial = answerer.answer(question)
    finally:
        answerer.abstention = shipped
    assert refused.refused and "金额" in refused.text, refused.text
    assert not partial.refused and "知识库未列明所问的具体金额" in partial.text, partial.text
    assert partial.citations and all(c.quote in partial.text for c in partial.citations)



def test_a_refusal_names_the_kind_of_contact_asked(shipped_service):
    # a website is asked for: the refusal says a website is not listed, not only a phone number
    answerer = shipped_service.answerer
    shipped = answerer.abstention
    try:
        answerer.abstention = replace(shipped, threshold=1.01)
        refused = answerer.answer("知识价值信用贷款在哪个网址上申请？网址是多少？")
    finally:
        answerer.abstention = shipped
    assert refused.refused and "网址" in refused.text.split("\n")[0], refused.text

def test_training_rows_are_the_questions_that_reach_the_decision(shipped_service):
    from bot.train import FOLDS, abstention_rows

    items = [
        {"id": "own-1", "type": "keyword", "question": "住房公积金可以用来偿还购房贷款吗？", "gold": [{}]},
        {"id": "own-2", "type": "outofdomain", "question": "明天重庆主城会下雨吗？要不要带伞？"},
        {"id": "own-3", "type": "keyword", "question": "你好"},
        {"id": "own-4", "type": "numeric", "question": "生育津贴每个月能领多少？", "gold": [{}]},
    ]
    settled: dict[str, bool] = {}
    x, y, folds, ids = abstention_rows(shipped_service, items, settled=settled)
    # what settled earlier, and whether it was refused: the domain reply is a refusal, the help text is not
    assert settled == {"own-2": True, "own-3": False}
    assert x.shape == (len(ids), len(QUESTION_FEATURES)) and len(y) == len(folds) == len(ids)
    assert "own-2" not in ids  # turned away by the domain model before the decision
    assert "own-3" not in ids  # a greeting gets the help text
    assert "own-1" in ids and y[ids.index("own-1")] == 1
    # folds: the position among in-domain items (the greeting counts), modulo FOLDS
    assert dict(zip(ids, folds, strict=True)).get("own-4", 2 % FOLDS) == 2 % FOLDS


def test_the_decision_knows_whether_a_message_continues_an_earlier_question(shipped_service):
    answerer = shipped_service.answerer
    history = [{"role": "user", "content": "失业保险金每个月能领多少？"}, {"role": "assistant", "content": "……"}]
    continued = answerer.deliberate("那外地户口的人呢？", history)
    first = answerer.deliberate("外地户口的人能领失业保险金吗？")
    assert continued.row[0][COL["followup"]] == 1.0
    assert first.row[0][COL["followup"]] == 0.0


def test_the_decision_reads_how_near_the_question_comes_to_a_bank_question(shipped_service):
    """A question the bank holds word for word comes nearer to it than to any written answerable question."""
    from bot.answering.types import Deliberation
    from knowledge.unanswered import read_unanswered

    searcher = shipped_service.searcher
    live = {c.source for c in searcher.all_chunks()}
    banked = [q.question for q in read_unanswered() if q.source in live][:12]
    assert all(searcher.unanswered_top1(searcher.query_vector(q)) > 0.99 for q in banked)
    margins = [d.row[0][COL["unanswered_margin"]] for d in map(shipped_service.answerer.deliberate, banked)
               if isinstance(d, Deliberation)]
    assert len(margins) >= 6 and min(margins) > 0.0
