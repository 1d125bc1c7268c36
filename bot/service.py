"""The knowledge service: one object that owns the model, the store and the search index.

Routes and CLI commands call its methods; nothing else touches Chroma or the embedder.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.answering import Answer, Answerer
from bot.answering.abstention import AbstentionModel
from bot.answering.answerability import AnswerabilityModel
from bot.answering.pairs import WordPairs
from bot.answering.uncovered import UncoveredModel
from bot.config import Settings
from bot.errors import BadInput
from bot.storage import QuestionLog
from ingest.pipeline import IngestSummary, find_files, ingest_files
from knowledge.asked import AskedQuestion
from knowledge.cards import Card, DocumentCards
from knowledge.catalogue import Catalogue, load_catalogue, referenced_sources
from knowledge.domain import DomainModel
from knowledge.embeddings import VectorCache, load_embeddings
from knowledge.errors import KnowledgeError
from knowledge.glossary import Glossary
from knowledge.models import Document, DocumentInfo, Hit
from knowledge.search import HybridSearcher
from knowledge.store import KnowledgeStore

log = logging.getLogger(__name__)

SHIPPED_MARKER = "shipped-knowledge.done"  # written in the data directory once the shipped knowledge is all in


def _model(cls, path: Path, required: bool):
    """A model file's content; when not required (the training commands), a missing or stale file is None."""
    try:
        return cls.load(path)
    except KnowledgeError as exc:
        if required:
            raise
        log.warning("%s; continuing without it", exc)
        return None


class KnowledgeService:
    """Opens everything once; ``ready`` turns true when store, model and index are loaded."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: KnowledgeStore | None = None
        self.searcher: HybridSearcher | None = None
        self.answerer: Answerer | None = None
        self.log: QuestionLog | None = None
        self.catalogue: Catalogue | None = None
        self.error: str | None = None
        self.load_seconds: float | None = None
        self._ready = threading.Event()
        self._write_lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def load(self, *, reset: bool = False, auto_ingest: bool | None = None, require_models: bool = True) -> None:
        """Open model, store and index; ingest the shipped knowledge when the store is empty.

        ``require_models=False`` only for the command that trains the domain model (it has none yet).
        """
        t0 = time.perf_counter()
        s = self.settings
        try:
            embeddings = load_embeddings(s.embedding_model)
            cache = VectorCache(embeddings.model_id)
            self.store = KnowledgeStore.open(embeddings, path=s.store_path, url=s.chroma_url,
                                             prefix=s.collection_prefix, vector_cache=cache, reset=reset)
            self.searcher = HybridSearcher(self.store, Glossary.load(s.glossary_path), token_cache=s.token_cache_path,
                                           ranker_path=s.ranker_path, sentence_cache_dir=s.data_dir,
                                           cards=DocumentCards(s.cards_path, s.card_edits_path),
                                           asked_edits_path=s.asked_edits_path)
            domain = _model(DomainModel, s.domain_path, require_models)
            answerability = _model(AnswerabilityModel, s.answerability_path, require_models)
            pairs = _model(WordPairs, s.pairs_path, require_models)
            abstention = _model(AbstentionModel, s.abstention_path, require_models)
            uncovered = _model(UncoveredModel, s.uncovered_path, require_models)
            if (s.auto_ingest if auto_ingest is None else auto_ingest) and Path(s.knowledge_dir).is_dir():
                self._ingest_shipped()
            self.searcher.refresh()
            # without a model file only the training commands run (they compute features, not answers)
            self.answerer = Answerer(self.searcher, answerability or AnswerabilityModel.untrained(), domain=domain,
                                     abstention=abstention, uncovered=uncovered, pairs=pairs,
                                     drafter=self._drafter())
            self.reload_catalogue()
            if s.log_questions:
                Path(s.data_dir).mkdir(parents=True, exist_ok=True)
                self.log = QuestionLog(s.db_url)
        except KnowledgeError as exc:
            self.error = str(exc)
            raise
        self.load_seconds = time.perf_counter() - t0
        self._ready.set()
        log.info("ready: %d chunks, %.1fs", self.searcher.chunk_count, self.load_seconds)

    def _ingest_shipped(self) -> None:
        """Ingest the shipped knowledge into an empty store, or finish a first ingestion that was cut off.

        A marker in the data directory records that it completed; until then every start resumes it
        (documents already stored are skipped unchanged). Once complete, documents staff delete stay deleted.
        """
        s = self.settings
        marker = Path(s.data_dir) / SHIPPED_MARKER
        if self.store.count() and marker.exists():
            return
        log.info("ingesting the shipped knowledge from %s (%s)", s.knowledge_dir,
                 "store empty" if not self.store.count() else "resuming an interrupted first ingestion")
        summary = ingest_files(find_files([s.knowledge_dir]), self.store, max_chars=s.chunk_max_chars)
        if not summary.errors:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{summary.files} files\n", encoding="utf-8")

    def reload_catalogue(self) -> None:
        """Locate every catalogue quote in the stored documents (after each change to the store)."""
        path = self.settings.catalogue_path
        if not Path(path).exists():
            self.catalogue = Catalogue([], [f"no catalogue at {path}"])
            return
        wanted = referenced_sources(path)
        docs = {d.source: self.store.get_document(d.doc_id) for d in self.store.list_documents() if d.source in wanted}
        self.catalogue = load_catalogue(docs, self.searcher.all_chunks(), path)
        if self.answerer is not None:
            self.answerer.in_scope = self.catalogue.names_a_programme
        for problem in self.catalogue.problems:
            log.error("catalogue: %s", problem)

    def _drafter(self):
        s = self.settings
        if not (s.llm_base_url and s.llm_model):
            return None
        from bot.answering.llm import LLMDrafter, make_llm

        key = s.llm_api_key.get_secret_value() if s.llm_api_key else None
        return LLMDrafter(make_llm(s.llm_base_url, s.llm_model, key, timeout=s.llm_timeout))

    # ---- queries -----------------------------------------------------------------------------
    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.searcher.search(query, k)

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        return self.answerer.answer(question, history or [])

    def record(self, question: str, ans: Answer, started: float, channel: str = "api") -> int | None:
        """Log an answered question (masked) and return its id for feedback; None when logging is off."""
        if self.log is None:
            return None
        latency = (time.perf_counter() - started) * 1000
        return self.log.record(question, ans.refused, [c.as_dict() for c in ans.citations], ans.text, latency, channel)

    def knowledge_gaps(self, threshold: float = 0.9) -> list[dict]:
        """Refused and 👎 questions grouped by meaning (e5 vectors), each group with counts, newest first."""
        import numpy as np

        if self.log is None:
            return []
        groups: list[dict] = []
        emb = self.store.embeddings
        for q in self.log.gap_candidates():
            vec = emb.embed_query_vector(q.question)
            best = max(groups, key=lambda g: float(np.dot(g["_vec"], vec)), default=None)
            if best is not None and float(np.dot(best["_vec"], vec)) >= threshold:
                g = best
            else:
                g = {"_vec": vec, "question": q.question, "count": 0, "refused": 0, "thumbs_down": 0,
                     "latest": q.created_at, "examples": []}
                groups.append(g)
            g["count"] += 1
            g["refused"] += q.refused
            g["thumbs_down"] += q.feedback == -1
            if len(g["examples"]) < 5:
                g["examples"].append({"id": q.id, "question": q.question, "time": q.created_at,
                                      "comment": q.feedback_comment})
        for g in groups:
            del g["_vec"]
        return sorted(groups, key=lambda g: g["latest"], reverse=True)

    def list_documents(self) -> list[DocumentInfo]:
        infos = self.store.list_documents()
        return [DocumentInfo(**{**i.__dict__, "superseded_by": self.searcher.superseded_by(i.doc_id)})
                for i in infos]

    def get_document(self, doc_id: str) -> Document:
        return self.store.get_document(doc_id)

    def get_card(self, doc_id: str) -> tuple[Card | None, bool, str]:
        """A document's card (its own or another version's; None: its title and headings stand in), whether
        staff edited it, and the text that is indexed for it."""
        info = self.store.document_info(doc_id)
        return (self.searcher.card_of(doc_id), self.searcher.cards.edited(info.source),
                self.searcher.card_text(doc_id))

    # ---- changes -----------------------------------------------------------------------------
    def ingest(self, files: list[tuple[str, bytes]] | list[Path],
               progress: Callable[[str, int, int], None] | None = None) -> IngestSummary:
        with self._write_lock:
            summary = ingest_files(files, self.store, max_chars=self.settings.chunk_max_chars, progress=progress)
            self.searcher.refresh()
            self.reload_catalogue()
            # name the documents an ingested file supersedes, so staff see a new version was recognised
            infos = {d.doc_id: d for d in self.store.list_documents()}
            for old_id, new_id in self.searcher.superseded_map().items():
                if new_id in summary.doc_ids and old_id in infos:
                    old, new = infos[old_id], infos[new_id]
                    summary.versions.append(f"{new.source} 是《{new.title}》的新版本（{new.version_date}），"
                                            f"取代 {old.source}（{old.version_date}）")
        return summary

    def put_card(self, doc_id: str, card: Card) -> None:
        """Save a staff edit of a document's card and reindex the cards (an empty card drops the edit)."""
        info = self.store.document_info(doc_id)
        with self._write_lock:
            self.searcher.cards.put(info.source, card)
            self.searcher.refresh()

    def get_questions(self, doc_id: str) -> tuple[list[AskedQuestion], list[AskedQuestion]]:
        """The questions written for a document's passages: shipped ones, and the ones staff wrote."""
        return self.searcher.written.of(self.store.document_info(doc_id).source)

    def put_questions(self, doc_id: str, questions: list[AskedQuestion]) -> None:
        """Replace the questions staff wrote for a document and reindex (effective at once). Each quote must
        be a verbatim part of the document's text: it is what attaches the question to its passage."""
        doc = self.store.get_document(doc_id)
        missing = [q.quote for q in questions if q.quote not in doc.text]
        if missing:
            raise BadInput(f"quote not found verbatim in {doc.source}: " + "；".join(missing[:3]))
        with self._write_lock:
            self.searcher.written.put(doc.source, questions)
            self.searcher.refresh()

    def delete_document(self, doc_id: str) -> int:
        with self._write_lock:
            removed = self.store.delete_document(doc_id)
            self.searcher.refresh()
            self.reload_catalogue()
        return removed
