"""Each answerability feature on small texts of my own, with the real tokenizer and the shipped corpus's idf."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answering import candidates as cand
from bot.answering.answerability import (
    ANSWERABILITY_PATH,
    FEATURES,
    AnswerabilityModel,
    AnswerabilityModelError,
    sentence_features,
    stated_kinds,
)
from bot.answering.pairs import WordPairs
from knowledge.models import Chunk, Hit
from knowledge.query import analyze

COL = {name: i for i, name in enumerate(FEATURES)}


def _hit(text: str, score: float = 1.0) -> Hit:
    chunk = Chunk(doc_id="t", title="测试条例", section="第一条", source="测试条例(2024-01-01).md",
                  version_date="2024-01-01", text=text, start=0, end=len(text), chunk_id=f"t-{hash(text)}")
    return Hit(chunk=chunk, score=score)


def _rows(searcher, question: str, *texts: str):
    a = analyze(question)
    hits = [_hit(t, 1.0 - i * 0.1) for i, t in enumerate(texts)]
    sents = cand.sentences(searcher, hits, cand.question_weights(searcher, a.question))
    return a, sents, sentence_features(searcher, a, sents, hits, WordPairs.untrained())


@pytest.fixture(scope="module")
def searcher(shipped_service):
    return shipped_service.searcher


def test_kind_stated_and_missing(searcher):
    _, sents, x = _rows(searcher, "失业保险金最长能领多久？",
                        "失业人员领取失业保险金的期限最长为24个月。", "失业人员应当及时办理失业登记。")
    assert [s.text[:6] for s in sents] == ["失业人员领取", "失业人员应当"]
    assert x[0, COL["kind_stated"]] == 1 and x[0, COL["kind_missing"]] == 0
    assert x[1, COL["kind_stated"]] == 0 and x[1, COL["kind_missing"]] == 1


def test_coverage_subject_and_rank(searcher):
    _, sents, x = _rows(searcher, "住房公积金的缴存比例是多少？",
                        "住房公积金的缴存比例不得低于百分之五。", "职工应当按时参加培训。")
    assert x[0, COL["coverage"]] > x[1, COL["coverage"]]
    assert x[0, COL["subject"]] == 1 and x[1, COL["subject"]] == 0
    assert x[0, COL["rank"]] == 1.0 and x[1, COL["rank"]] == 0.5
    assert x[0, COL["retrieval"]] == 1.0 and x[1, COL["retrieval"]] == 0.0


def test_a_total_is_not_a_per_person_standard(searcher):
    _, _, x = _rows(searcher, "每人每月能补贴多少钱？",
                    "累计发放补贴共计3亿元。", "补贴标准为每人每月500元。")
    assert x[0, COL["total_for_standard"]] == 1
    assert x[1, COL["total_for_standard"]] == 0


def test_count_of_another_thing_and_unknown_subject(searcher):
    _, _, x = _rows(searcher, "这里有几家电影院？", "区内已有企业808家。")
    assert x[0, COL["counted_missing"]] == 1
    a, sents, x = _rows(searcher, "这里的房价是多少？", "区内已有企业808家。")
    assert x[0, COL["subject_unknown"]] == 1
    assert stated_kinds(searcher, a, sents) == set()  # nothing can state the figure of an unknown subject


def test_an_amount_of_another_subject_does_not_state_the_asked_one(searcher):
    a, sents, _ = _rows(searcher, "引进博士的科研启动经费是多少？",
                        "对引进的博士后给予安家补助10万元。", "引进博士给予科研启动经费30万元。")
    assert "amount" in a.kinds
    other, own = sents
    assert "amount" in other.kinds and "amount" not in stated_kinds(searcher, a, [other])
    assert "amount" in stated_kinds(searcher, a, [own])


def test_number_length_lead_in_and_first(searcher):
    _, sents, x = _rows(searcher, "申请需要什么条件？",
                        "申请人应当符合下列条件：\n（一）年满十八周岁；\n（二）无犯罪记录。")
    by_text = {s.text: row for s, row in zip(sents, x, strict=True)}
    lead = by_text["申请人应当符合下列条件："]
    assert lead[COL["lead_in"]] == 1 and lead[COL["first"]] == 1 and lead[COL["number"]] == 0
    item = by_text["（一）年满十八周岁；"]
    assert item[COL["lead_in"]] == 0 and item[COL["first"]] == 0 and item[COL["number"]] == 1
    assert 0 < item[COL["length"]] < lead[COL["length"]]


def test_thesaurus_change_takes_effect_without_code_changes(searcher):
    from knowledge.thesaurus import Thesaurus

    before, enabled = searcher.thesaurus, searcher.options.use_thesaurus
    try:
        searcher.options.use_thesaurus = True  # (off by default: measured no help beside written questions)
        searcher.thesaurus = Thesaurus({"薪水": frozenset({"工资"})})
        _, terms, _ = searcher.plan("薪水拖欠怎么办")
        assert "工资" in terms and terms["工资"] < terms["薪水"]
        searcher.thesaurus = Thesaurus({})
        _, terms, _ = searcher.plan("薪水拖欠怎么办")
        assert "工资" not in terms
    finally:
        searcher.thesaurus, searcher.options.use_thesaurus = before, enabled


def test_a_rate_in_a_passage_that_never_names_whose_rate_is_asked_states_nothing(searcher):
    a, sents, _ = _rows(searcher, "高新贷的年利率是多少？", "逾期利息按照每日利率万分之五支付。", "高新贷年利率为百分之四。")
    other, own = sents
    assert "rate" in other.kinds and "rate" not in stated_kinds(searcher, a, [other])
    assert "rate" in stated_kinds(searcher, a, [own])


def test_the_shipped_answerability_model_loads_and_scores_every_feature_row():
    model = AnswerabilityModel.load()
    assert 0.0 < model.threshold < 1.0
    rows = np.zeros((3, len(FEATURES)))
    rows[1, list(FEATURES).index("kind_stated")] = 1.0
    p = model.probabilities(rows)
    assert p.shape == (3,) and ((p >= 0) & (p <= 1)).all()
    assert model.probabilities(np.zeros((0, len(FEATURES)))).shape == (0,)
    assert AnswerabilityModel.untrained().probabilities(rows).tolist() == [0.5, 0.5, 0.5]


def test_an_answerability_file_trained_on_other_features_is_an_error(tmp_path):
    body = json.loads(ANSWERABILITY_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "answerability.json"
    path.write_text(json.dumps({**body, "features": [*FEATURES, "a feature the code does not compute"]}),
                    encoding="utf-8")
    with pytest.raises(AnswerabilityModelError, match="bot train-answerability"):
        AnswerabilityModel.load(path)


def test_a_number_of_the_asked_kind_that_belongs_to_something_else_is_foreign(shipped_service):
    answerer = shipped_service.answerer
    a, sents, _ = _rows(answerer.searcher, "摊位的租金是多少？",
                        "违反本条例规定占道经营的，处二百元以上一千元以下罚款。", "摊位由街道办事处统一规划。")
    unstated, foreign = answerer.unstated(a, sents[:1])
    assert unstated == {"amount"} and foreign  # a fine is no rent: never a partial answer
    unstated, foreign = answerer.unstated(a, sents[1:])
    assert unstated == {"amount"} and not foreign  # says nothing of any amount: may quote, saying so


def test_a_fine_states_no_fee_unless_a_penalty_is_asked(searcher):
    a, sents, _ = _rows(searcher, "停车场每小时收多少钱？",
                        "停车场应当公示收费标准；擅自提高收费的，处一千元以上五千元以下罚款。")
    fine = next(s for s in sents if "罚款" in s.text)
    assert "amount" in fine.kinds and "amount" not in stated_kinds(searcher, a, [fine])
    a, sents, _ = _rows(searcher, "停车场擅自提高收费要罚多少？",
                        "停车场应当公示收费标准；擅自提高收费的，处一千元以上五千元以下罚款。")
    assert "amount" in stated_kinds(searcher, a, [s for s in sents if "罚款" in s.text])  # the fine is asked
    a, sents, _ = _rows(searcher, "停车场每小时收多少钱？",
                        "临时停车每小时收费五元，超时未缴的，处二百元罚款。")
    assert len(sents) == 1
    assert "amount" in stated_kinds(searcher, a, sents)  # the fee is stated outside the penalty clause


def test_a_further_quote_holding_only_a_fine_is_not_quoted(shipped_service):
    answerer = shipped_service.answerer
    a, sents, _ = _rows(answerer.searcher, "摊位的租金是多少？",
                        "摊位租金由街道办事处按照市场价格确定。",
                        "违反本条例规定占道经营的，处二百元以上一千元以下罚款。")
    rent, fine = sents
    assert answerer._only_foreign(a, fine) and not answerer._only_foreign(a, rent)
