from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from bot.api.deps import AdminDep, ServiceDep, SettingsDep
from bot.errors import BadInput
from bot.schemas import DeleteReport, DocumentPublic, DocumentsPublic, DocumentText, IngestReport

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
