"""What a message continues: my own conversations, the real tokenizer and search where retrieval is involved."""

from bot.answering import conversation
from bot.answering.conversation import understand


def _turns(*pairs: tuple[str, str]) -> list[dict]:
    out = []
    for q, a in pairs:
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return out


def test_a_continuation_without_any_cue_word_keeps_the_earlier_question():
    history = _turns(("残疾人就业保障金按什么标准缴？", "按上年用人单位在职职工人数和比例计算。"))
    a = understand("小微企业有没有可以减免或者缓缴的政策说法", history)  # no 那/这个/呢, not short
    assert "残疾人就业保障金" in a.topic
    assert a.own_text == "小微企业有没有可以减免或者缓缴的政策说法"


def test_the_user_saying_the_subject_changes_drops_the_earlier_question():
    history = _turns(("残疾人就业保障金按什么标准缴？", "按上年用人单位在职职工人数和比例计算。"))
    a = understand("换个话题，公司注册资本可以分期缴吗？", history)
    assert a.topic == "" and a.own_text is None


def test_a_short_follow_up_asks_its_own_kind_of_fact_or_else_the_earlier_one():
    history = _turns(("创业担保贷款个人最高能贷多少钱？", "个人最高可申请一定额度。"))
    assert understand("那要多久才能放款？", history).kinds == {"duration"}  # its own ask, not the amount
    assert "amount" in understand("那合伙的呢？", history).kinds  # asks nothing itself: the amount again


def test_a_third_turn_is_read_with_the_two_questions_before_it():
    history = _turns(("外国专家来华工作要办什么证？", "外国人工作许可证和工作类居留证件。"),
                     ("办下来有效期多长？", "工作类居留证件有效期最短90日，最长5年。"),
                     ("找的是哪个部门？", "公安机关出入境管理机构。"))
    a = understand("逾期了怎么处理", history)
    assert getattr(conversation, "TOPIC_TURNS", 2) == 2
    assert "办下来有效期多长" in a.topic and "哪个部门" in a.topic
    assert "外国专家" not in a.topic  # older turns fade out


def test_a_continuation_without_cue_words_retrieves_the_earlier_subject(shipped_service):
    history = _turns(("失业保险金最长能领多久？", "按缴费年限确定，最长不超过24个月。"))
    a = understand("期间要是生病住院了，医药费能不能报销", history)
    hits = shipped_service.searcher.search(a.retrieval_text, 3, about_past=a.about_past, own=a.own_text)
    assert any("医疗补助金" in h.chunk.text for h in hits), [h.chunk.text[:40] for h in hits]


def test_a_follow_up_answer_leads_with_the_new_ask_not_the_earlier_one(shipped_service):
    history = _turns(("失业保险金最长能领多久？", "按缴费年限确定，最长不超过24个月。"))
    answer = shipped_service.ask("期间要是生病住院了，医药费能不能报销", history)
    assert not answer.refused, answer.text
    assert "医疗补助金" in answer.citations[0].quote or "住院" in answer.citations[0].quote, answer.text


def test_the_last_item_and_counting_from_the_end_resolve_against_the_list_just_given():
    history = _turns(("园区对入驻团队有哪些扶持？", "主要有：场地减免、创业导师辅导、小额贷款贴息和知识产权代理补助。[1]"))
    assert conversation.resolve_ordinal("最后那个怎么申请？", history) == "知识产权代理补助怎么申请？"
    assert conversation.resolve_ordinal("最后说的那种要什么条件", history) == "知识产权代理补助要什么条件"
    assert conversation.resolve_ordinal("倒数第二个额度多少？", history) == "小额贷款贴息额度多少？"
    assert conversation.resolve_ordinal("第一项呢？", history) == "场地减免呢？"
    # no list in the last answer: the message stays as written
    plain = _turns(("园区在哪？", "在科学大道旁。[1]"))
    assert conversation.resolve_ordinal("最后那个怎么申请？", plain) == "最后那个怎么申请？"
