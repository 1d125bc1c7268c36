"""How quotes are cut and ordered: a lead-in takes its items, one source reads in the document's order.
Small passages of my own, the real tokenizer and the shipped searcher (for source labels)."""

from __future__ import annotations

import pytest

from bot.answering import candidates as cand
from bot.answering.composition import Composer
from knowledge.models import Chunk, Hit
from knowledge.query import analyze

ARTICLE = ("第九条 申请创业补贴的个人，应当具备下列条件：\n\n（一）在本区注册经营满六个月；\n\n（二）正常申报纳税；\n\n"
           "（三）吸纳就业三人以上。\n\n第十条 补贴每户一次，不得重复申领。")


@pytest.fixture(scope="module")
def composer(shipped_service):
    return Composer(shipped_service.searcher)


def _candidates(searcher, text: str, question: str = "创业补贴有什么条件？"):
    chunk = Chunk(doc_id="own", title="某区创业扶持办法", section="第九条", source="某区创业扶持办法(2025-05-01).md",
                  version_date="2025-05-01", text=text, start=0, end=len(text), chunk_id="own-1")
    a = analyze(question)
    return cand.sentences(searcher, [Hit(chunk=chunk, score=1.0)], cand.question_weights(searcher, a.question))


def _by_start(sents, prefix: str):
    return next(s for s in sents if s.text.startswith(prefix))


def test_a_quoted_lead_in_takes_the_items_that_follow_it(composer):
    sents = _candidates(composer.searcher, ARTICLE)
    lead = _by_start(sents, "申请创业补贴的个人")
    [cite] = composer.cite([lead])
    assert cite.quote.startswith("申请创业补贴的个人") and cite.quote.endswith("吸纳就业三人以上。")
    assert "（二）正常申报纳税" in cite.quote and "第十条" not in cite.quote
    assert ARTICLE[cite.start:cite.end] == cite.quote  # still a verbatim span


def test_an_item_quoted_before_its_lead_in_is_not_quoted_twice(composer):
    sents = _candidates(composer.searcher, ARTICLE)
    cites = composer.cite([_by_start(sents, "（二）"), _by_start(sents, "申请创业补贴的个人")])
    assert len(cites) == 1 and "（二）正常申报纳税" in cites[0].quote and cites[0].n == 1


def test_a_list_that_runs_past_the_limit_stops_before_the_item_that_does_not_fit(composer):
    long_items = "".join(f"（{n}）{'具有相应的专业技术资格和从业经历' * 3}；\n" for n in "一二三四五六")
    text = f"第三条 申请人应当符合下列要求：\n{long_items}"
    sents = _candidates(composer.searcher, text, "申请人要符合哪些要求？")
    [cite] = composer.cite([_by_start(sents, "申请人应当符合")])
    assert "（一）" in cite.quote and "（六）" not in cite.quote


def test_one_sources_quotes_read_in_document_order_and_are_numbered_as_read(composer):
    sents = _candidates(composer.searcher, ARTICLE, "创业补贴能领几次？")
    late, early = _by_start(sents, "补贴每户一次"), _by_start(sents, "（一）")
    cites = composer.cite([late, early])  # the later sentence is the more probable one
    # the item comes with its article's lead-in (and so with the whole list), before the later sentence
    assert cites[0].quote.startswith("申请创业补贴的个人") and cites[1].quote.startswith("补贴每户")
    assert cites[0].start < cites[1].start and [c.n for c in cites] == [1, 2]
    text = composer.compose(analyze("创业补贴能领几次？"), cites)
    assert text.index("[1]") < text.index("[2]")


def test_a_lead_in_is_picked_only_when_its_items_follow_it_in_the_passage(composer):
    question = analyze("申请创业补贴有哪些条件？")
    sents = _candidates(composer.searcher, ARTICLE, question.question)
    for s in sents:
        s.score = 0.9 if s.lead_in else 0.1
    picked = composer.pick(sents, question)
    assert picked[0].text.startswith("申请创业补贴的个人")
    alone = _candidates(composer.searcher, "第九条 补贴按季度发放。申请创业补贴的个人，应当具备下列条件：", question.question)
    for s in alone:
        s.score = 0.9 if s.lead_in else 0.1
    assert not any(s.lead_in for s in composer.pick(alone, question))  # says there are conditions, not which


FUND = "第五条 本区设立创新引导基金，总规模20亿元，首期到位5亿元，其中用于种子期项目的不低于2亿元。"


def test_of_several_amounts_the_one_the_question_asks_about_is_highlighted(composer):
    question = "引导基金首期到位了多少钱？"
    sents = _candidates(composer.searcher, FUND, question)
    [cite] = composer.cite([_by_start(sents, "本区设立创新引导基金")], analyze(question))
    assert [FUND[s:e] for s, e in cite.highlights] == ["5亿元"]


def test_when_no_clause_names_the_questions_words_every_asked_amount_is_highlighted(composer):
    question = "这只基金有多少钱？"
    sents = _candidates(composer.searcher, FUND, question)
    [cite] = composer.cite([_by_start(sents, "本区设立创新引导基金")], analyze(question))
    assert [FUND[s:e] for s, e in cite.highlights] == ["20亿元", "5亿元", "2亿元"]


# items long enough that the fourth is quoted without the lead-in (more than MAX_LEAD_GAP after it)
TERMS = ("第七条 人才公寓租金的减免期限，按照在本区连续工作的年限确定：\n"
         "（一）在本区连续工作满一年不足两年，且劳动合同尚在履行期内的，减免三个月；\n"
         "（二）在本区连续工作满两年不足三年，且劳动合同尚在履行期内的，减免六个月；\n"
         "（三）在本区连续工作满三年不足四年，且劳动合同尚在履行期内的，减免九个月；\n"
         "（四）在本区连续工作满四年以上，且劳动合同尚在履行期内的，减免十二个月。\n"
         "第八条 减免期满后，按照市场租金缴纳。")


def test_a_list_is_never_quoted_with_a_hole(composer):
    question = "人才公寓租金能减免多久？"
    sents = _candidates(composer.searcher, TERMS, question)
    other_text = "第三条 人才公寓面向在本区工作的各类人才配租。"
    other = Chunk(doc_id="other", title="某区人才公寓管理办法", section="第三条", source="某区人才公寓管理办法(2025-01-01).md",
                  version_date="2025-01-01", text=other_text, start=0, end=len(other_text), chunk_id="other-1")
    [first] = cand.sentences(composer.searcher, [Hit(chunk=other, score=0.5)],
                             cand.question_weights(composer.searcher, question))
    cites = composer.cite([first, _by_start(sents, "（四）"), _by_start(sents, "（一）")], analyze(question))
    # the best-ranked source still reads first; the list reads whole from its lead-in to （四）: （二）（三） included
    assert [c.chunk.doc_id for c in cites] == ["other", "own"]
    listed = cites[1].quote
    assert listed.startswith("人才公寓租金的减免期限") and listed.endswith("减免十二个月。")
    assert "（二）" in listed and "（三）" in listed and TERMS[cites[1].start:cites[1].end] == listed
    assert [c.n for c in cites] == [1, 2]


def test_items_with_a_rule_between_them_stay_two_quotes(composer):
    text = TERMS.replace("（二）", "前款规定的年限，可以与在其他园区工作的年限合并计算。\n（二）")
    sents = _candidates(composer.searcher, text, "人才公寓租金能减免多久？")
    cites = composer.cite([_by_start(sents, "（四）"), _by_start(sents, "（一）")])
    assert len(cites) == 2 and not any("合并计算" in c.quote for c in cites)
