"""Request and response schemas of the HTTP API, in families, with limits on the fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints


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


class CardFields(BaseModel):
    """A document card: what it governs, whom it concerns, its subjects in its own and in everyday words."""

    governs: str = Field("", max_length=200)
    applies_to: str = Field("", max_length=200)
    subjects: list[str] = Field(default_factory=list, max_length=40)
    everyday: list[str] = Field(default_factory=list, max_length=40)


class WrittenQuestion(BaseModel):
    """A question people ask in everyday words, and a verbatim part of the sentence that answers it."""

    question: str = Field(min_length=2, max_length=200)
    quote: str = Field(min_length=4, max_length=200, description="verbatim in the document: places the question")


class QuestionsEdit(BaseModel):
    questions: list[WrittenQuestion] = Field(default_factory=list, max_length=500,
                                             description="replaces the staff-written questions; [] removes them")


class DocumentQuestions(BaseModel):
    doc_id: str
    shipped: list[WrittenQuestion] = Field(description="written for the shipped knowledge (read only)")
    staff: list[WrittenQuestion] = Field(description="written by staff; search and answers use them at once")


class DocumentCard(BaseModel):
    doc_id: str
    card: CardFields | None = Field(None, description="null: no card; the title and headings stand in")
    edited: bool = Field(description="staff edited this card (it overrides the shipped one)")
    indexed_text: str = Field(description="what the search indexes for the document")


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
    versions: list[str] = Field(default_factory=list, description="new versions recognised, with what they replace")
    doc_ids: list[str]
    errors: list[IngestError]
    partial: bool
    seconds: float


class DeleteReport(BaseModel):
    doc_id: str
    chunks_removed: int


class Message(BaseModel):
    detail: str


Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Annotated[str, StringConstraints(max_length=4000)]


class AskRequest(BaseModel):
    question: Question = Field(description="1–500 characters after stripping")
    history: list[Turn] = Field(default_factory=list, max_length=10, description="earlier turns, at most 10")


class Span(BaseModel):
    start: int
    end: int


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    source: str
    version_date: str
    quote: str = Field(description="verbatim: equals the document's text[start:end]")
    start: int
    end: int
    superseded_by: str | None = None
    highlights: list[Span] = Field(default_factory=list,
                                   description="document offsets of the answering spans inside the quote (the figure asked)")


class AskResponse(BaseModel):
    answer: str
    refused: bool
    citations: list[Citation]
    related: list[SearchResult]
    answered_by: str = "extractive"
    question_id: int | None = Field(None, description="id for POST /api/feedback")


class FeedbackRequest(BaseModel):
    question_id: int
    value: Literal[1, -1] = Field(description="1 = 👍, -1 = 👎")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI content parts
            return "".join(p.get("text", "") for p in self.content if isinstance(p, dict))
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model: str = "kexuecheng-policy-bot"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = None
    max_tokens: int | None = None


class MatchRequest(BaseModel):
    profile: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="who you are and what you need, in your own words (1–1000 characters)")
