"""Ingestion runs: files → documents → chunks → the knowledge store, with a summary of what happened."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.clean import clean_text
from ingest.describe import describe_document
from ingest.errors import EmptyDocument, IngestError
from ingest.load import SUPPORTED_SUFFIXES, read_text
from ingest.split import split_into_chunks
from knowledge.asked import ASKED, AskedQuestion, attach, read_asked
from knowledge.cards import CARDS, DocumentCards, document_card_texts, document_cards
from knowledge.embeddings import KBEmbeddings, VectorCache
from knowledge.models import Chunk, Document, text_hash
from knowledge.sentences import SENTENCES, sentence_texts
from knowledge.store import KnowledgeStore
from knowledge.unanswered import OUTSIDE, UNANSWERED, UnansweredQuestion, current, read_outside, read_unanswered

log = logging.getLogger(__name__)


@dataclass
class FileError:
    source: str
    reason: str


@dataclass
class IngestSummary:
    """What one run did; ``partial`` is true when any file was skipped with an error."""

    files: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_unchanged: int = 0
    chunks_new: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    embedded: int = 0
    duplicates: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # filled by the caller that knows the version map
    errors: list[FileError] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def partial(self) -> bool:
        return bool(self.errors)

    def as_dict(self) -> dict:
        return {
            "files": self.files, "documents_new": self.documents_new,
            "documents_changed": self.documents_changed, "documents_unchanged": self.documents_unchanged,
            "chunks_new": self.chunks_new, "chunks_unchanged": self.chunks_unchanged,
            "chunks_removed": self.chunks_removed, "embedded": self.embedded,
            "duplicates": self.duplicates, "versions": self.versions, "doc_ids": self.doc_ids,
            "errors": [{"source": e.source, "reason": e.reason} for e in self.errors],
            "partial": self.partial, "seconds": round(self.seconds, 2),
        }


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the files below them (sorted); skip README files and hidden files."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(
                f for f in p.rglob("*")
                if f.is_file() and not f.name.startswith(".") and f.name.lower() != "readme.md"
                and f.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            found.append(p)  # an explicit file is always tried, so an unsupported one is reported
    return found


def prepare_document(name: str, data: bytes, max_chars: int = 500,
                     with_context: bool = True) -> tuple[Document, list[Chunk]]:
    """Load, clean, describe and split one file's bytes.

    Raises:
        IngestError: unsupported, empty or broken file (the message says which).
    """
    text = clean_text(read_text(name, data))
    if not text:
        raise EmptyDocument("no text after cleaning")
    doc = describe_document(name, text)
    chunks = split_into_chunks(doc, max_chars=max_chars, with_context=with_context)
    if not chunks:
        raise EmptyDocument("no passages found in the text")
    return doc, chunks


def ingest_files(
    files: list[tuple[str, bytes]] | list[Path],
    store: KnowledgeStore,
    *,
    max_chars: int = 500,
    with_context: bool = True,
    batch_chunks: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestSummary:
    """Ingest files (paths, or (name, bytes) pairs from an upload) into the store.

    A file that fails is recorded in ``summary.errors`` and the run goes on. A file whose text
    equals a document already stored under another name is reported as a duplicate.
    """
    t0 = time.perf_counter()
    summary = IngestSummary()
    seen_hashes = store.content_hashes()
    total = len(files)
    pending: list[tuple[Document, list[Chunk]]] = []

    def flush() -> None:
        for (doc, _), result in zip(pending, store.sync_documents(pending), strict=True):
            summary.doc_ids.append(doc.doc_id)
            summary.chunks_new += result.added
            summary.chunks_unchanged += result.unchanged
            summary.chunks_removed += result.removed
            summary.embedded += result.embedded
            if result.status == "new":
                summary.documents_new += 1
            elif result.status == "changed":
                summary.documents_changed += 1
            else:
                summary.documents_unchanged += 1
        pending.clear()

    for i, item in enumerate(files):
        if progress:
            progress(item.name if isinstance(item, Path) else item[0], i, total)
        summary.files += 1
        if isinstance(item, Path):
            name = item.name
            try:
                data = item.read_bytes()
            except OSError as exc:
                summary.errors.append(FileError(name, f"cannot read: {exc.strerror or exc}"))
                continue
        else:
            name, data = item
        try:
            doc, chunks = prepare_document(name, data, max_chars=max_chars, with_context=with_context)
        except IngestError as exc:
            log.warning("skipped %s: %s", name, exc)
            summary.errors.append(FileError(name, str(exc)))
            continue
        except Exception as exc:  # a parser bug on one file must not stop the run
            log.exception("skipped %s", name)
            summary.errors.append(FileError(name, f"{type(exc).__name__}: {exc}"))
            continue
        other = seen_hashes.get(doc.content_hash)
        if other is not None and other != doc.doc_id:
            source = next((d.source for d, _ in pending if d.doc_id == other), None) or store.document_info(other).source
            summary.duplicates.append(f"{name} (same text as {source})")
            continue
        seen_hashes[doc.content_hash] = doc.doc_id
        pending.append((doc, chunks))
        # Write in batches: Chroma's cost is per call, and a batch bounds what a crash can leave half done.
        if sum(len(c) for _, c in pending) >= batch_chunks:
            flush()
    flush()
    if progress:
        progress("", total, total)
    summary.seconds = time.perf_counter() - t0
    log.info("ingest: %d files, %d new chunks, %d unchanged, %d removed, %d embedded, %d errors, %.1fs",
             summary.files, summary.chunks_new, summary.chunks_unchanged, summary.chunks_removed,
             summary.embedded, len(summary.errors), summary.seconds)
    return summary


def _chunks_of(paths: Iterable[str | Path]) -> list[Chunk]:
    chunks: list[Chunk] = []
    for f in find_files(paths):
        try:
            chunks += prepare_document(f.name, f.read_bytes())[1]
        except IngestError:
            continue
    return chunks


def _fill(cache: VectorCache, wanted: dict[str, str], embeddings: KBEmbeddings, batch: int,
          progress: Callable[[int, int], None] | None, as_queries: bool = False) -> VectorCache:
    """Embed what ``cache`` lacks of ``wanted`` (key → text), drop what is not wanted, save."""
    missing = [k for k in wanted if k not in cache]
    embed = embeddings.embed_queries if as_queries else embeddings.embed_passages
    for i in range(0, len(missing), batch):
        keys = missing[i:i + batch]
        cache.put(keys, embed([wanted[k] for k in keys]))
        if progress:
            progress(min(i + batch, len(missing)), len(missing))
        if (i // batch) % 10 == 9:
            cache.save()  # an interrupted build keeps what it embedded
    cache.keep_only(set(wanted))
    cache.save()
    return cache


def build_vector_cache(paths: Iterable[str | Path], embeddings: KBEmbeddings,
                       batch: int = 64, progress: Callable[[int, int], None] | None = None,
                       cards: DocumentCards | None = None,
                       asked: list[AskedQuestion] | None = None,
                       unanswered: list[UnansweredQuestion] | None = None,
                       outside: list[str] | None = None) -> tuple[VectorCache, ...]:
    """Embed every chunk, every quotable sentence, every document card, every question written for a
    passage and every written question the files do not answer of the given files, and every written
    out-of-domain message (the questions and messages as queries), that the model's caches lack, and save the
    caches.

    The caches are keyed by (model id, hash of the text); entries no longer produced by the files
    are dropped so the shipped files do not grow with stale vectors.
    """
    chunks = _chunks_of(paths)
    passages = _fill(VectorCache(embeddings.model_id), {c.embed_key: c.index_text for c in chunks},
                     embeddings, batch, progress)
    sentences = _fill(VectorCache(embeddings.model_id, kind=SENTENCES),
                      {text_hash(t): t for t in sentence_texts(chunks)}, embeddings, batch, progress)
    doc_ids = sorted({c.doc_id for c in chunks})
    card_texts = document_card_texts(chunks, doc_ids, document_cards(chunks, doc_ids, cards or DocumentCards()))
    card_cache = _fill(VectorCache(embeddings.model_id, kind=CARDS), {text_hash(t): t for t in card_texts},
                       embeddings, batch, progress)
    placed, _ = attach(chunks, read_asked() if asked is None else asked)
    asked_cache = _fill(VectorCache(embeddings.model_id, kind=ASKED), {text_hash(q.question): q.question for q in placed},
                        embeddings, batch, progress, as_queries=True)
    sources = {c.source for c in chunks}
    bank = current(read_unanswered() if unanswered is None else unanswered, sources)
    unanswered_cache = _fill(VectorCache(embeddings.model_id, kind=UNANSWERED),
                             {text_hash(q.question): q.question for q in bank}, embeddings, batch, progress,
                             as_queries=True)
    outside_cache = _fill(VectorCache(embeddings.model_id, kind=OUTSIDE),
                          {text_hash(q): q for q in (read_outside() if outside is None else outside)}, embeddings,
                          batch, progress, as_queries=True)
    return passages, sentences, card_cache, asked_cache, unanswered_cache, outside_cache
