"""Search quality mechanisms on the shipped knowledge with the real model: glossary, versions, long messages."""

import time

from knowledge.glossary import Glossary
from knowledge.query import analyze


def _titles(hits):
    return [h.chunk.title for h in hits]


def test_programme_name_stays_whole_and_is_found(shipped_service):
    assert "知识价值信用贷" in shipped_service.searcher.tokenizer.tokenize("知识价值信用贷怎么申请")
    hits = shipped_service.search("知识价值信用贷", 3)
    assert "知识价值信用贷" in hits[0].chunk.text and hits[0].chunk.section


def test_colloquial_words_reach_official_passages(shipped_service):
    # words that are not in the documents: 房补, 丢了工作, 老外
    hits = shipped_service.search("人才房补怎么领", 5)
    assert any("购房补贴" in h.chunk.text for h in hits)
    hits = shipped_service.search("丢了工作以后失业金怎么领", 5)
    assert any("失业保险金" in h.chunk.text for h in hits)
    hits = shipped_service.search("老外来重庆工作要办什么签证", 5)
    assert any("外国人" in h.chunk.title or "外国人" in h.chunk.text for h in hits)


def test_newest_version_first_and_older_reachable(shipped_service):
    s = shipped_service.searcher
    now = s.search("专利实施许可合同要在几个月内备案", 5)
    newest = [h for h in now if h.chunk.title == "中华人民共和国专利法实施细则"]
    assert newest[0].chunk.version_date == "2023-12-11"
    ranks = {h.chunk.version_date: i for i, h in reversed(list(enumerate(now)))
             if h.chunk.title == "中华人民共和国专利法实施细则"}
    assert ranks.get("2010-01-09", 99) > ranks["2023-12-11"]
    a = analyze("2010年的专利法实施细则规定许可合同几个月内备案？")
    assert a.about_past
    past = s.search(a.retrieval_text, 5, about_past=True)
    assert any(h.chunk.version_date == "2010-01-09" and h.superseded_by for h in past)


def test_long_rambling_message_retrieves_what_its_question_does(shipped_service):
    story = ("老师您好，我们是做农产品电商的小公司，去年才注册，现在一共八个人。前阵子招了个做直播的小伙子，人挺机灵，"
             "就是经常迟到。合伙人商量了一下，想先跟他签三年的合同再看表现，财务说试用期不能随便定，网上说法又五花八门，"
             "所以想问清楚：三年期的劳动合同，试用期最长可以约定多久？")
    a = analyze(story)
    assert a.question.endswith("试用期最长可以约定多久？") and len(a.question) < 60
    last = "三年期的劳动合同，试用期最长可以约定多久？"
    assert shipped_service.search(a.retrieval_text, 1)[0].chunk.chunk_id == shipped_service.search(last, 1)[0].chunk.chunk_id


def test_glossary_edit_takes_effect_without_code_change(shipped_service, tmp_path):
    import os

    from knowledge.search import HybridSearcher

    path = tmp_path / "glossary.yaml"
    path.write_text("synonyms:\n  小哥哥: [快递]\n", encoding="utf-8")
    s = HybridSearcher(shipped_service.store, Glossary.load(path), token_cache=tmp_path / "tokens.pkl")
    s.refresh()
    assert s.glossary.expand("小哥哥的问题") == ["快递"]
    assert not any("营业执照" in h.chunk.text for h in s.search("蓝本本怎么办", 5))
    path.write_text("synonyms:\n  蓝本本: [营业执照]\n", encoding="utf-8")
    os.utime(path, (time.time() + 5, time.time() + 5))
    s._last_check = 0.0  # skip the 2-second polling interval
    hits = s.search("蓝本本怎么办", 5)
    assert s.glossary.expand("蓝本本怎么办") == ["营业执照"]
    assert any("营业执照" in h.chunk.text for h in hits)
    # the tokenizer is rebuilt in the background with the new word, then swapped in with its index
    assert s.wait_reindexed(120)
    assert "蓝本本" in s.tokenizer.tokenize("蓝本本怎么办")


def test_a_card_routes_a_slang_question_to_its_statute(shipped_service):
    # 炒鱿鱼 occurs in no passage; the 劳动合同法's card lists it, so its articles join the candidates
    s = shipped_service.searcher
    assert not any("炒鱿鱼" in c.text for c in s.all_chunks())
    hits = s.search("被炒鱿鱼了能拿补偿吗", 5)
    assert any(h.chunk.title == "中华人民共和国劳动合同法" for h in hits)
    without = s.options
    try:
        from dataclasses import replace

        # the card alone (no written questions) routes it; the written questions alone (被辞退了…) reach it too
        s.options = replace(without, use_asked=False)
        assert any(h.chunk.title == "中华人民共和国劳动合同法" for h in s.search("被炒鱿鱼了能拿补偿吗", 5))
        s.options = replace(without, use_cards=False)
        assert any(h.chunk.title == "中华人民共和国劳动合同法" for h in s.search("被炒鱿鱼了能拿补偿吗", 5))
    finally:
        s.options = without


def test_glossary_rewrites_only_words_the_corpus_lacks():
    g = Glossary(entries={"蓝本本": ["营业执照"], "执照": ["营业执照"]})
    known = {"执照", "营业执照"}.__contains__
    assert g.rewrite("蓝本本丢了补办执照", known) == "营业执照丢了补办执照"
    assert g.rewrite("执照怎么办", known) == "执照怎么办"
