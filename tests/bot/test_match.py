"""Programme catalogue and 政策匹配 over HTTP."""

import re

import pytest

from bot.verify import numbers_outside


@pytest.fixture(scope="module")
def http(live_server):
    with live_server.client() as c:
        yield c


def test_catalogue_lists_programmes_with_citations_and_filters(http):
    progs = http.get("/api/programmes").json()["programmes"]
    assert len(progs) >= 12
    for p in progs:
        assert p["citations"] and {"id", "name", "category", "audience", "fields"} <= set(p)
        for c in p["citations"]:
            assert http.get(f"/api/documents/{c['doc_id']}").json()["text"][c["start"]:c["end"]] == c["quote"]
        for value in p["fields"].values():
            assert value == "原文未列明" or all(v["text"] == p["citations"][v["n"] - 1]["quote"] for v in value)
    fin = http.get("/api/programmes", params={"category": "financing"}).json()["programmes"]
    assert fin and all(p["category"] == "financing" for p in fin)
    assert http.get("/api/programmes/knowledge-value-credit-loan").json()["name"] == "知识价值信用贷"
    assert http.get("/api/programmes/nope").status_code == 404


def _cited_text(match):
    return [c["quote"] + c["title"] + c["section"] + c["version_date"] for c in match["citations"]]


def test_graduate_buying_a_home_gets_talent_housing_with_no_invented_amount(http):
    body = http.post("/api/match", json={"profile": "硕士毕业一年，在科学城的公司做工程师，打算在这边买套房"}).json()
    ids = [m["programme"]["id"] for m in body["matches"]]
    assert "jinfenghuang" in ids and "youth-talent-apartment" in ids
    for m in body["matches"]:
        assert m["citations"] and m["next_step"]
        text = " ".join([x["text"] for x in m["met"]] + m["unknown"] + [m["next_step"]])
        assert numbers_outside(text, _cited_text(m)) == []
        for n in map(int, re.findall(r"\[(\d+)\]", text)):
            assert 1 <= n <= len(m["citations"])
    jfh = next(m for m in body["matches"] if m["programme"]["id"] == "jinfenghuang")
    assert any("金额标准：原文未列明" in u for u in jfh["unknown"])


def test_tech_sme_wanting_a_loan_gets_the_loan_programmes(http):
    body = http.post("/api/match", json={"profile": "我们是成立三年的科技型小企业，有几项专利，想找银行贷款"}).json()
    ids = [m["programme"]["id"] for m in body["matches"]]
    assert {"knowledge-value-credit-loan", "high-tech-loan", "tiered-loan"} <= set(ids)
    assert "youth-talent-apartment" not in ids


def test_nothing_relevant_is_an_honest_empty_answer_with_where_to_ask(http):
    body = http.post("/api/match", json={"profile": "想问问小区停车位怎么收费"}).json()
    assert body["matches"] == []
    assert "没有找到" in body["message"] and "12345" in body["message"]
    assert "12345" in body["citations"][0]["quote"]


@pytest.mark.parametrize("profile", ["", "   ", "我" * 1001])
def test_bad_profiles_get_422(http, profile):
    assert http.post("/api/match", json={"profile": profile}).status_code == 422
