"""The answer metrics on answers of my own: what each figure counts."""

from __future__ import annotations

from bot.evaluation import evaluate_answers

DOC = "第一条 创业担保贷款额度最高为二十万元。第二条 申请人应当提交营业执照。"


def _item(item_id: str, kind: str, points: list[str]) -> dict:
    gold = [{"doc": "d.md", "quote": "创业担保贷款额度最高为二十万元"}] if points else []
    return {"id": item_id, "type": kind, "question": "问题", "history": [], "gold": gold, "answer_points": points}


def _body(text: str, refused: bool, quote: str | None = None, by: str = "extractive") -> dict:
    cites = []
    if quote is not None:
        start = DOC.index(quote)
        cites = [{"n": 1, "doc_id": "d.md", "title": "d", "section": "", "source": "d.md", "version_date": "",
                  "quote": quote, "start": start, "end": start + len(quote)}]
    return {"answer": text, "refused": refused, "citations": cites, "answered_by": by}


def test_the_answered_median_leaves_out_refusals_and_unanswerable_items():
    quote = "创业担保贷款额度最高为二十万元"
    items = [_item("a1", "numeric", ["二十万元"]), _item("a2", "numeric", ["营业执照"]),
             _item("a3", "numeric", ["二十万元"]), _item("u1", "unanswerable", [])]
    bodies = {"a1": _body(quote + "。[1]" + "补" * 40, False, quote),  # the point stated
              "a2": _body(quote + "。[1]", False, quote),  # the point missed
              "a3": _body("未找到。", True),  # an answerable item refused
              "u1": _body("知识库未列明。", True)}
    rows = evaluate_answers(items, lambda it: bodies[it["id"]], lambda doc: DOC).rows["overall"]
    assert rows["key_point_recall"] == 1 / 3
    assert rows["false_refusals"] == 1 / 3
    assert rows["refusal_accuracy"] == 1.0
    assert rows["citation_validity"] == 1.0
    long, short = len(bodies["a1"]["answer"]), len(bodies["a2"]["answer"])
    assert rows["median_length"] == (len("知识库未列明。") + short) / 2  # of long, short, 4 and 7 characters
    assert rows["answered_median"] == (long + short) / 2


def test_no_answered_item_leaves_the_answered_median_empty():
    rows = evaluate_answers([_item("u1", "unanswerable", [])], lambda it: _body("知识库未列明。", True),
                            lambda doc: DOC).rows["overall"]
    assert rows["answered_median"] is None and rows["median_length"] == 7


def test_answerable_items_given_the_domain_reply_are_counted_apart():
    items = [_item("a1", "numeric", ["二十万元"]), _item("a2", "numeric", ["营业执照"]),
             _item("a3", "numeric", ["二十万元"]), _item("a4", "numeric", ["二十万元"]),
             _item("o1", "outofdomain", [])]
    bodies = {"a1": _body("不在知识范围内。", True, by="domain"),  # turned away before retrieval
              "a2": _body("未找到。", True),  # refused after weighing passages
              "a3": _body("创业担保贷款额度最高为二十万元[1]", False, "创业担保贷款额度最高为二十万元"),
              "a4": _body("创业担保贷款额度最高为二十万元[1]", False, "创业担保贷款额度最高为二十万元"),
              "o1": _body("不在知识范围内。", True, by="domain")}  # a right domain reply is no false refusal
    rows = evaluate_answers(items, lambda it: bodies[it["id"]], lambda doc: DOC).rows["overall"]
    assert rows["false_refusals"] == 2 / 4
    assert rows["domain_refusals"] == 1 / 4
    assert rows["refusal_accuracy"] == 1.0
