"""The question log and feedback: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) from settings.

The schema is created and migrated by the app at start (``SCHEMA_VERSION`` steps, recorded in the
database), so a deployment never runs SQL by hand.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine

from bot.privacy import mask_personal_data

SCHEMA_VERSION = 2
metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

questions = Table(
    "questions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("question", Text, nullable=False),  # masked before it is stored
    Column("refused", Boolean, nullable=False, index=True),
    Column("citations", Text, nullable=False, default="[]"),  # JSON: [{n, doc_id, title, section, quote}]
    Column("answer", Text, nullable=False, default=""),
    Column("latency_ms", Float, nullable=False, default=0.0),
    Column("channel", String(16), nullable=False, default="api"),
    Column("feedback", Integer, nullable=True),  # +1 / -1
    Column("feedback_comment", Text, nullable=True),  # version 2
    Column("feedback_at", DateTime(timezone=True), nullable=True),  # version 2
)

# Each step brings a database from version N-1 to N. Version 1 had no comment or timestamp on feedback.
_MIGRATIONS: dict[int, list[str]] = {
    2: ["ALTER TABLE questions ADD COLUMN feedback_comment TEXT",
        "ALTER TABLE questions ADD COLUMN feedback_at TIMESTAMP"],
}


@dataclass
class LoggedQuestion:
    id: int
    created_at: str
    question: str
    refused: bool
    citations: list[dict]
    answer: str
    latency_ms: float
    channel: str
    feedback: int | None
    feedback_comment: str | None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class QuestionLog:
    """Stores every asked question (masked), its outcome and the user's feedback."""

    def __init__(self, url: str) -> None:
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        self._lock = threading.Lock()  # SQLite allows one writer; serialise writes in-process
        self.migrate()

    def migrate(self) -> None:
        insp = inspect(self.engine)
        with self.engine.begin() as conn:
            if not insp.has_table("questions"):
                metadata.create_all(conn)
                conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
                return
            if not insp.has_table("schema_version"):
                schema_version.create(conn)
                conn.execute(schema_version.insert().values(version=1))
            current = conn.execute(select(func.max(schema_version.c.version))).scalar() or 1
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for stmt in _MIGRATIONS.get(version, []):
                    conn.execute(text(stmt))
                conn.execute(schema_version.update().values(version=version))

    def record(self, question: str, refused: bool, citations: list[dict], answer: str, latency_ms: float,
               channel: str = "api") -> int:
        cites = [{k: c[k] for k in ("n", "doc_id", "title", "section", "quote")} for c in citations]
        with self._lock, self.engine.begin() as conn:
            res = conn.execute(questions.insert().values(
                created_at=datetime.now(UTC), question=mask_personal_data(question), refused=refused,
                citations=json.dumps(cites, ensure_ascii=False), answer=mask_personal_data(answer),
                latency_ms=round(latency_ms, 1), channel=channel))
            return int(res.inserted_primary_key[0])

    def feedback(self, question_id: int, value: int, comment: str | None) -> bool:
        with self._lock, self.engine.begin() as conn:
            res = conn.execute(questions.update().where(questions.c.id == question_id).values(
                feedback=value, feedback_comment=mask_personal_data(comment) if comment else None,
                feedback_at=datetime.now(UTC)))
            return res.rowcount > 0

    def _row(self, r) -> LoggedQuestion:
        created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)
        return LoggedQuestion(r.id, created.isoformat(timespec="seconds"), r.question, bool(r.refused),
                              json.loads(r.citations or "[]"), r.answer, r.latency_ms, r.channel, r.feedback,
                              r.feedback_comment)

    def list(self, *, search: str | None = None, refused: bool | None = None, feedback: int | None = None,
             limit: int = 200, offset: int = 0) -> tuple[list[LoggedQuestion], int]:
        q = select(questions)
        if search:
            like = f"%{search}%"
            q = q.where(or_(questions.c.question.like(like), questions.c.citations.like(like)))
        if refused is not None:
            q = q.where(questions.c.refused == refused)
        if feedback is not None:
            q = q.where(questions.c.feedback == feedback)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(q.subquery())).scalar() or 0
            rows = conn.execute(q.order_by(questions.c.id.desc()).limit(limit).offset(offset)).all()
        return [self._row(r) for r in rows], int(total)

    def to_csv(self, rows: list[LoggedQuestion]) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "time", "question", "refused", "citations", "feedback", "comment", "latency_ms"])
        for r in rows:
            cites = "; ".join(f"[{c['n']}] {c['title']} {c['section']}" for c in r.citations)
            w.writerow([r.id, r.created_at, r.question, "refused" if r.refused else "answered", cites,
                        {1: "up", -1: "down"}.get(r.feedback or 0, ""), r.feedback_comment or "", r.latency_ms])
        return "\ufeff" + buf.getvalue()  # BOM so spreadsheet software reads the Chinese correctly

    def gap_candidates(self, limit: int = 1000) -> list[LoggedQuestion]:
        """Refused questions and questions with a 👎, newest first."""
        q = select(questions).where(or_(questions.c.refused.is_(True), questions.c.feedback == -1))
        with self.engine.connect() as conn:
            rows = conn.execute(q.order_by(questions.c.id.desc()).limit(limit)).all()
        return [self._row(r) for r in rows]
