"""The question log on a real SQLite file: masking, feedback, filters, CSV, and migrating an old schema."""

import sqlite3

from bot.privacy import mask_personal_data
from bot.storage import SCHEMA_VERSION, QuestionLog


def test_personal_data_is_masked():
    text = ("我叫张三，手机 138-1234-5678，座机 023-68881234，身份证 50010219900307123X，"
            "邮箱 zhang.san@example.com，想问购房补贴")
    masked = mask_personal_data(text)
    for secret in ("138-1234-5678", "023-68881234", "50010219900307123X", "zhang.san@example.com"):
        assert secret not in masked
    assert "[手机号]" in masked and "[电话]" in masked and "[身份证号]" in masked and "[邮箱]" in masked
    assert "购房补贴" in masked
    assert mask_personal_data("2023年科学城转化科技成果4380项") == "2023年科学城转化科技成果4380项"


def test_log_feedback_filters_and_csv(tmp_path):
    log = QuestionLog(f"sqlite:///{tmp_path / 'bot.db'}")
    cites = [{"n": 1, "doc_id": "d", "title": "T", "section": "S", "quote": "Q"}]
    a = log.record("电话13912345678，什么是先投后股？", False, cites, "答案[1]", 12.3)
    b = log.record("高新贷利率多少？", True, [], "知识库中未找到", 8.0)
    assert log.feedback(a, 1, "很有用，联系我 a@b.cn") and log.feedback(b, -1, None)
    assert not log.feedback(9999, 1, None)
    rows, total = log.list()
    assert total == 2 and rows[0].id == b
    assert "13912345678" not in rows[1].question and "[手机号]" in rows[1].question
    assert rows[1].feedback_comment == "很有用，联系我 [邮箱]"
    assert [r.id for r in log.list(refused=True)[0]] == [b]
    assert [r.id for r in log.list(feedback=1)[0]] == [a]
    assert [r.id for r in log.list(search="先投后股")[0]] == [a]
    csv = log.to_csv(rows)
    assert csv.startswith("\ufeffid,time,question") and "refused" in csv and "[1] T S" in csv
    assert [g.id for g in log.gap_candidates()] == [b]


def test_an_old_schema_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TIMESTAMP NOT NULL, "
                "question TEXT NOT NULL, refused BOOLEAN NOT NULL, citations TEXT NOT NULL, answer TEXT NOT NULL, "
                "latency_ms FLOAT NOT NULL, channel VARCHAR(16) NOT NULL, feedback INTEGER)")
    con.execute("INSERT INTO questions (created_at, question, refused, citations, answer, latency_ms, channel) "
                "VALUES ('2026-01-01 00:00:00', '旧问题', 0, '[]', '', 1.0, 'api')")
    con.commit()
    con.close()
    log = QuestionLog(f"sqlite:///{path}")
    with sqlite3.connect(path) as con:
        cols = {r[1] for r in con.execute("PRAGMA table_info(questions)")}
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert {"feedback_comment", "feedback_at"} <= cols and version == SCHEMA_VERSION
    rows, _ = log.list()
    assert rows[0].question == "旧问题"
    assert log.feedback(rows[0].id, -1, "旧记录也能反馈")
