"""Request and response schemas of the HTTP API, in families, with limits on the fields."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SearchResult(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    source: str
    version_date: str
    text: str = Field(description="verbatim: equals the document's text[start:end]")
    start: int
    end: int
    score: float
    superseded_by: str | None = Field(None, description="doc_id of the newer version, when one is stored")


class SearchResponse(BaseModel):
    results: list[SearchResult]


class DocumentPublic(BaseModel):
    doc_id: str
    title: str
    source: str
    version_date: str
    chunk_count: int
    superseded_by: str | None = None


class DocumentsPublic(BaseModel):
    documents: list[DocumentPublic]
    count: int


class DocumentText(BaseModel):
    doc_id: str
    title: str
    source: str
    version_date: str
    text: str
    superseded_by: str | None = None


class IngestError(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    files: int
    documents_new: int
    documents_changed: int
    documents_unchanged: int
    chunks_new: int
    chunks_unchanged: int
    chunks_removed: int
    embedded: int
    duplicates: list[str]
    doc_ids: list[str]
    errors: list[IngestError]
    partial: bool
    seconds: float


class DeleteReport(BaseModel):
    doc_id: str
    chunks_removed: int


class Message(BaseModel):
    detail: str
