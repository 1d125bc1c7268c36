from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from bot.api.deps import AdminDep, ServiceDep, SettingsDep
from bot.errors import BadInput
from bot.schemas import (
    CardFields,
    DeleteReport,
    DocumentCard,
    DocumentPublic,
    DocumentQuestions,
    DocumentsPublic,
    DocumentText,
    IngestReport,
    QuestionsEdit,
    WrittenQuestion,
)
from knowledge.asked import AskedQuestion
from knowledge.cards import Card

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("", response_model=DocumentsPublic)
def list_documents(service: ServiceDep) -> DocumentsPublic:
    """All documents with their version dates and chunk counts."""
    docs = [DocumentPublic(**d.__dict__) for d in service.list_documents()]
    return DocumentsPublic(documents=docs, count=len(docs))


@router.get("/{doc_id}", response_model=DocumentText)
def get_document(doc_id: str, service: ServiceDep) -> DocumentText:
    """A document's full text: the string that chunk and citation offsets index."""
    doc = service.get_document(doc_id)
    return DocumentText(doc_id=doc.doc_id, title=doc.title, source=doc.source, version_date=doc.version_date,
                        text=doc.text, superseded_by=service.searcher.superseded_by(doc.doc_id))


def _card(doc_id: str, service) -> DocumentCard:
    card, edited, text = service.get_card(doc_id)
    return DocumentCard(doc_id=doc_id, card=CardFields(**card.as_dict()) if card else None, edited=edited,
                        indexed_text=text)


@router.get("/{doc_id}/card", response_model=DocumentCard)
def get_card(doc_id: str, service: ServiceDep) -> DocumentCard:
    """The document's card: what search matches a question in everyday words against."""
    return _card(doc_id, service)


@router.put("/{doc_id}/card", response_model=DocumentCard, dependencies=[AdminDep])
def put_card(doc_id: str, body: CardFields, service: ServiceDep) -> DocumentCard:
    """Replace the document's card (admin); takes effect at once. An empty card restores the shipped one."""
    service.put_card(doc_id, Card.from_dict(body.model_dump()))
    return _card(doc_id, service)


def _questions(doc_id: str, service) -> DocumentQuestions:
    shipped, staff = service.get_questions(doc_id)

    def schema(qs: list[AskedQuestion]) -> list[WrittenQuestion]:
        return [WrittenQuestion(question=q.question, quote=q.quote) for q in qs]

    return DocumentQuestions(doc_id=doc_id, shipped=schema(shipped), staff=schema(staff))


@router.get("/{doc_id}/questions", response_model=DocumentQuestions)
def get_questions(doc_id: str, service: ServiceDep) -> DocumentQuestions:
    """The everyday questions written for the document's passages (how search connects callers' words to it)."""
    return _questions(doc_id, service)


@router.put("/{doc_id}/questions", response_model=DocumentQuestions, dependencies=[AdminDep])
def put_questions(doc_id: str, body: QuestionsEdit, service: ServiceDep) -> DocumentQuestions:
    """Replace the questions staff wrote for the document (admin); takes effect at once. An uploaded
    document has none until staff write them; each quote must be verbatim in the document."""
    service.put_questions(doc_id, [AskedQuestion("", q.quote.strip(), q.question.strip()) for q in body.questions])
    return _questions(doc_id, service)


@router.post("", response_model=IngestReport, dependencies=[AdminDep])
async def upload_documents(service: ServiceDep, settings: SettingsDep,
                           files: Annotated[list[UploadFile], File(description="txt, md, html, pdf or docx")]
                           ) -> IngestReport:
    """Upload and ingest files (admin). A file that fails is named in ``errors``; the rest ingest."""
    payload: list[tuple[str, bytes]] = []
    for f in files:
        data = await f.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise BadInput(f"{f.filename}: larger than {settings.max_upload_bytes} bytes")
        payload.append((f.filename or "upload.txt", data))
    from starlette.concurrency import run_in_threadpool

    summary = await run_in_threadpool(service.ingest, payload)
    return IngestReport(**summary.as_dict())


@router.delete("/{doc_id}", response_model=DeleteReport, dependencies=[AdminDep])
def delete_document(doc_id: str, service: ServiceDep) -> DeleteReport:
    """Remove a document and its chunks (admin)."""
    return DeleteReport(doc_id=doc_id, chunks_removed=service.delete_document(doc_id))
