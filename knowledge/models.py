"""Plain data types shared by ingestion, the store and search. Callers never see raw Chroma dicts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def text_hash(text: str) -> str:
    """Content hash used to key embeddings: unchanged text is never embedded twice."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """A whole source document as stored; chunk offsets index ``text``."""

    doc_id: str
    title: str
    source: str
    version_date: str
    text: str
    kind: str = "text"  # "regulation" | "report" | "text"

    @property
    def content_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A verbatim span of a stored document: ``document.text[start:end] == text``.

    Catalogue quotes are passages; chunks are passages that are also indexed.
    """

    doc_id: str
    title: str
    section: str
    source: str
    version_date: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, kw_only=True)
class Chunk(Passage):
    """One retrievable passage.

    ``context`` (title, chapter) is prepended only to the text that is embedded and indexed,
    so retrieval sees where a short article belongs while citations stay verbatim.
    """

    chunk_id: str
    context: str = ""

    @property
    def index_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def embed_key(self) -> str:
        return text_hash(self.index_text)


@dataclass(frozen=True)
class DocumentInfo:
    """A document's listing entry (no text)."""

    doc_id: str
    title: str
    source: str
    version_date: str
    chunk_count: int
    kind: str = "text"
    superseded_by: str | None = None


@dataclass
class Hit:
    """A search result: a chunk and its fused score, with the ranks that produced it."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    superseded_by: str | None = None
