"""The pages in a real browser: Playwright driving Debian's chromium (never a downloaded browser).

Screenshots land in docs/screenshots/ (committed; the README shows the chat).
"""

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN

SLOW_CALL = 60.0  # seconds for a call that may wait on indexing (httpx defaults to 5)

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: scripts/test.sh installs it (apt-get install chromium fonts-wqy-microhei)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN", base_url=live_server.url)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _ask(page, question):
    page.fill("#question", question)
    page.keyboard.press("Enter")
    answer = page.locator(".msg.bot").last
    answer.locator(".actions").wait_for(timeout=30000)  # the actions bar appears once the stream is done
    return answer


def _staff_login(page, tab: str | None = None):
    """Open the staff console with the admin token, on ``tab`` if given."""
    page.goto("/staff")
    page.fill("#token", ADMIN_TOKEN)
    page.get_by_role("button", name="登录").click()
    if tab:
        page.get_by_role("tab", name=tab).click()


def test_chat_streams_an_answer_with_citations_and_the_viewer_highlights_it(page):
    page.goto("/")
    answer = _ask(page, "企业所得税的税率是多少？")
    assert "25％" in answer.locator(".answer-text").inner_text()
    assert answer.locator(".badge").inner_text() == "已找到原文依据"
    # the asked-for figure is bold inside its quote
    assert "25％" in answer.locator(".answer-text strong.fact").first.inner_text()
    chip = answer.locator("a.chip").first
    assert chip.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-desktop.png"))
    with page.context.expect_page() as new:
        chip.click()
    viewer = new.value
    viewer.wait_for_selector("mark#cited")
    mark = viewer.locator("mark#cited")
    assert "25％" in mark.inner_text()
    assert mark.is_visible() and viewer.locator("#title").inner_text() == "中华人民共和国企业所得税法"
    assert re.search(r"/documents/[0-9a-f]+\?start=\d+&end=\d+", viewer.url)
    viewer.screenshot(path=str(SHOTS / "source-viewer.png"))


def test_viewer_warns_when_a_newer_version_exists(page, live_server):
    import httpx

    docs = httpx.get(live_server.url + "/api/documents").json()["documents"]
    old = next(d for d in docs if d["source"] == "专利法实施细则(2010-01-09).md")
    page.goto(f"/documents/{old['doc_id']}")
    notice = page.locator("#notice")
    notice.wait_for()
    assert "新的版本" in notice.inner_text()


def test_refused_answer_looks_different_and_shows_related_passages(page):
    page.goto("/")
    answer = _ask(page, "高新贷的贷款利率是多少？")
    assert "refused" in answer.get_attribute("class")
    assert answer.locator(".badge").inner_text() == "知识库未载明"
    assert "知识库中未找到" in answer.inner_text()
    assert answer.locator(".related a").count() >= 1


def test_thumbs_up_and_masked_phone_appear_in_the_staff_console(page):
    page.goto("/")
    answer = _ask(page, "我的电话是13812345678，请问公积金贷款多少天内给答复？")
    answer.get_by_role("button", name="有帮助").click()
    page.get_by_text("已记录，谢谢！").wait_for()

    _staff_login(page)
    row = page.locator("#log-table tbody tr", has_text="公积金贷款多少天内给答复").first
    row.wait_for()
    text = row.inner_text()
    assert "[手机号]" in text and "13812345678" not in text and "👍" in text
    assert ADMIN_TOKEN not in page.url
    page.screenshot(path=str(SHOTS / "staff-console.png"), full_page=False)


def test_knowledge_gaps_view_groups_refused_questions(page):
    page.goto("/")
    for q in ("科企梯度贷的年利率是多少？", "科企梯度贷年利率多少？"):
        _ask(page, q)
    _staff_login(page, "知识缺口")
    card = page.locator("#gaps .card", has_text="科企梯度贷").first
    card.wait_for()
    assert re.search(r"共 [2-9]\d* 次", card.inner_text())
    page.screenshot(path=str(SHOTS / "knowledge-gaps.png"))


def test_wrong_token_is_refused(page):
    page.goto("/staff")
    page.fill("#token", "not-the-right-token-123")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("令牌不正确").wait_for()
    assert page.locator("#console").is_hidden()


def test_upload_a_document_then_ask_about_it(page, tmp_path, live_server):
    doc = tmp_path / "科学城青年人才驿站服务指南(2026-02-01).md"
    doc.write_text("# 科学城青年人才驿站服务指南\n\n## 第一章 入住\n\n第一条 来科学城求职的高校毕业生可申请青年人才驿站，"
                   "免费入住不超过七天。\n\n第二条 申请人持毕业证书在线提交申请。\n", encoding="utf-8")
    _staff_login(page, "文档管理")
    page.set_input_files("#files", str(doc))
    page.get_by_role("button", name="上传并入库").click()
    page.get_by_text("新文档 1").wait_for(timeout=60000)
    page.locator("#doc-table", has_text="科学城青年人才驿站服务指南").wait_for()

    page.goto("/")
    answer = _ask(page, "青年人才驿站可以免费住几天？")
    assert "不超过七天" in answer.inner_text()

    import httpx

    # the upload's indexing may still hold the store on a busy 2-core machine: wait longer than httpx's 5 s
    docs = httpx.get(live_server.url + "/api/documents", timeout=SLOW_CALL).json()["documents"]
    doc_id = next(d["doc_id"] for d in docs if d["title"] == "科学城青年人才驿站服务指南")
    httpx.delete(f"{live_server.url}/api/documents/{doc_id}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                 timeout=SLOW_CALL)


def test_chat_works_on_a_phone(browser, live_server):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url,
                              is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="科学城产业发展基金撬动了多少制造业贷款？").click()
    answer = page.locator(".msg.bot").last
    answer.locator(".actions").wait_for(timeout=30000)
    assert "130亿元" in answer.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "chat-phone.png"))
    ctx.close()


def test_keyboard_only_and_labelled_controls(page):
    page.goto("/")
    assert page.get_by_label("输入您的问题").count() == 1
    page.get_by_label("输入您的问题").focus()
    page.keyboard.type("职业中介向求职者收押金怎么罚？")
    page.keyboard.press("Enter")
    page.locator(".msg.bot .actions").last.wait_for(timeout=30000)
    page.get_by_role("button", name="新对话").click()
    assert page.locator(".msg").count() == 0


def test_match_panel_shows_cards_linking_to_the_viewer(page):
    page.goto("/")
    page.get_by_label("我的情况").fill("刚毕业的硕士，在科学城一家企业上班，想买房")
    page.get_by_role("button", name="查找适用政策").click()
    card = page.locator("#match-results .card", has_text="青年人才公寓").first
    card.wait_for()
    assert card.locator("a.chip").count() >= 1
    href = card.locator("a.chip").first.get_attribute("href")
    assert href.startswith("/documents/") and "start=" in href
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "policy-match.png"))


def test_staff_edit_a_document_card_in_the_console(page, live_server):
    import httpx

    question = {"q": "村里推的银叶茧项目归哪部法规管？", "k": 1}
    search = lambda: httpx.get(live_server.url + "/api/search", params=question).json()["results"][0]["title"]  # noqa: E731
    assert search() != "重庆市蚕种管理条例"
    _staff_login(page, "文档管理")
    page.get_by_role("button", name=re.compile("^编辑卡片 重庆市蚕种管理条例")).click()
    page.get_by_text("随系统提供的卡片").wait_for()
    everyday = page.get_by_label("日常说法（用顿号或逗号分隔）")
    shipped = everyday.input_value()
    assert shipped  # the shipped card is shown for editing
    everyday.fill(shipped + "、银叶茧项目")
    page.get_by_role("button", name="保存卡片").click()
    page.get_by_text("已保存，立即生效").wait_for()
    try:
        assert search() == "重庆市蚕种管理条例"
    finally:
        page.get_by_role("button", name="恢复默认").click()
        page.wait_for_function("!document.getElementById('card-everyday').value.includes('银叶茧项目')")
    assert everyday.input_value() == shipped
    assert search() != "重庆市蚕种管理条例"


def test_staff_write_everyday_questions_for_a_document_in_the_console(page, live_server):
    import httpx

    query = {"q": "嘟嘟噜小卡片去哪里订", "k": 3}
    doc = next(d for d in httpx.get(live_server.url + "/api/documents").json()["documents"]
               if d["title"] == "重庆市蚕种管理条例")
    text = httpx.get(f"{live_server.url}/api/documents/{doc['doc_id']}").json()["text"]
    quote = "合同订购，划区供应，调剂平衡的原则"
    assert quote in text
    top = lambda: httpx.get(live_server.url + "/api/search", params=query).json()["results"][0]["title"]  # noqa: E731
    assert top() != "重庆市蚕种管理条例"
    _staff_login(page, "文档管理")
    page.get_by_role("button", name=re.compile("^编辑问法 重庆市蚕种管理条例")).click()
    page.get_by_text(re.compile("随系统提供的问法 \\d+ 条")).wait_for()
    lines = page.get_by_label("工作人员写的问法（每行：问法｜原文片段）")
    lines.fill("嘟嘟噜小卡片在哪订")
    page.get_by_role("button", name="保存问法").click()
    page.get_by_text(re.compile("未保存：每行写")).wait_for()  # a line without its quote is not sent
    lines.fill("嘟嘟噜小卡片在哪订｜原文里没有的一句话")
    page.get_by_role("button", name="保存问法").click()
    page.get_by_text(re.compile("未保存：quote not found")).wait_for()
    lines.fill(f"嘟嘟噜小卡片在哪订｜{quote}")
    page.get_by_role("button", name="保存问法").click()
    page.get_by_text("已保存，立即生效").wait_for()
    try:
        staff = httpx.get(f"{live_server.url}/api/documents/{doc['doc_id']}/questions").json()["staff"]
        assert staff == [{"question": "嘟嘟噜小卡片在哪订", "quote": quote}]
        assert top() == "重庆市蚕种管理条例"
    finally:
        lines.fill("")
        page.get_by_role("button", name="保存问法").click()
        page.wait_for_function("document.getElementById('asked-status').textContent.includes('已保存')")
    assert httpx.get(f"{live_server.url}/api/documents/{doc['doc_id']}/questions").json()["staff"] == []
    assert top() != "重庆市蚕种管理条例"
