"""The out-of-domain model: loaded at start, loud when missing, and its replies over real questions."""

from __future__ import annotations

import json

import pytest

from knowledge.domain import DOMAIN_PATH, INPUTS, READ, DomainModel, DomainModelError


def test_missing_or_stale_model_fails_loudly(tmp_path):
    with pytest.raises(DomainModelError, match="bot train-domain"):
        DomainModel.load(tmp_path / "none.json")
    body = json.loads(DOMAIN_PATH.read_text(encoding="utf-8"))
    body["signals"] = body["signals"][1:]
    (tmp_path / "stale.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(DomainModelError, match="other signals"):
        DomainModel.load(tmp_path / "stale.json")


def test_service_refuses_to_start_without_the_model(shipped_settings, tmp_path):
    from bot.service import KnowledgeService

    settings = shipped_settings.model_copy(update={"domain_path": tmp_path / "none.json"})
    with pytest.raises(DomainModelError):
        KnowledgeService(settings).load()


def test_signals_separate_policy_from_chatter(shipped_service):
    s = shipped_service.searcher
    policy, _ = s.domain_signals("职工因工受伤，工伤保险待遇怎么申请")
    other, _ = s.domain_signals("周末去哪里吃火锅比较好")
    assert set(policy) == set(READ)
    assert policy["known_idf"] > other["known_idf"]
    assert policy["dense_top1"] > other["dense_top1"]


@pytest.mark.parametrize("question", [
    "后天重庆会不会下暴雨？",            # weather
    "观音桥附近哪个停车场便宜？",         # parking
    "高新区现在的区委书记叫什么名字？",     # office holder
    "双十一买哪款扫地机器人划算？",        # shopping
    "陪我聊会天吧，今天心情不太好",        # chit-chat
])
def test_out_of_domain_questions_get_the_domain_reply(shipped_service, question):
    ans = shipped_service.ask(question)
    assert ans.refused
    assert ans.answered_by in ("domain", "help")
    if ans.answered_by == "domain":  # the hotline is quoted with its source, nothing else
        assert len(ans.citations) == 1 and "12345" in ans.citations[0].quote
        assert "12345" in ans.text


def test_hiding_a_documents_written_questions_reads_a_question_as_about_an_uploaded_one(shipped_service):
    s = shipped_service.searcher
    question = "职工因工受伤，工伤保险待遇怎么申请"
    seen, _ = s.domain_signals(question)
    nearest = s.search(question, k=1)[0].chunk.source
    hidden, _ = s.domain_signals(question, frozenset({nearest}))
    assert hidden["asked_top1"] < seen["asked_top1"]
    assert hidden["outside_margin"] - seen["outside_margin"] == pytest.approx(seen["asked_top1"] - hidden["asked_top1"])
    # the rest reads the corpus as before: the document is still there
    written = ("asked_top1", "outside_margin", "unanswered_top1")
    assert {k: v for k, v in hidden.items() if k not in written} == pytest.approx(
        {k: v for k, v in seen.items() if k not in written})


def test_policy_questions_are_not_turned_away(shipped_service):
    for q in ("签了劳动合同以后单位不给交社保怎么办？", "科学城对青年人才有住房方面的支持吗？"):
        assert shipped_service.ask(q).answered_by != "domain"


def test_a_question_close_to_a_written_one_is_in_the_domain_whatever_its_probability():
    shipped = DomainModel.load()
    assert shipped.written_match < 1.0  # learned by bot train-domain (above every out-of-domain tune question)
    model = DomainModel(shipped.weights, shipped.bias, shipped.mean, shipped.scale, threshold=0.0,
                        meta={"written_match": 0.97})  # threshold 0: the probability alone turns everything away
    signals = {k: 0.0 for k in READ}
    vector = [0.0] * (len(shipped.weights) - len(INPUTS))
    assert model.out_of_domain({**signals, "asked_top1": 0.969}, vector)
    assert not model.out_of_domain({**signals, "asked_top1": 0.97}, vector)


_INJURY = [{"role": "user", "content": "工伤保险待遇包括哪些？"}, {"role": "assistant", "content": "……"}]


def test_a_follow_up_is_read_with_the_topic_it_continues(shipped_service):
    # alone, a story about a road accident looks like chatter; after a question on work-injury insurance it is not
    follow_up = "我爸上班路上被车撞了算不算"
    alone = shipped_service.ask(follow_up)
    in_conversation = shipped_service.ask(follow_up, _INJURY)
    assert alone.answered_by == "domain"
    assert in_conversation.answered_by != "domain"


@pytest.mark.parametrize("follow_up", ["好的谢谢，那你顺便推荐部好看的电影", "嗯嗯，对了明天重庆会下雨吗"])
def test_an_out_of_domain_turn_of_a_policy_conversation_gets_the_domain_reply(shipped_service, follow_up):
    ans = shipped_service.ask(follow_up, _INJURY)
    assert ans.refused and ans.answered_by in ("domain", "help")
