"""Hybrid search: BM25 over jieba tokens and dense e5 vectors, fused by weighted reciprocal rank.

The in-memory part (chunk table, BM25, version map) is a snapshot derived from the store and
swapped atomically on refresh, so searches never see a half-built index.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from knowledge.asked import ASKED, ASKED_PATH, WrittenQuestions, attach, best_per_chunk, with_predecessors
from knowledge.cards import (
    CARDS,
    Card,
    DocumentCards,
    card_phrases,
    document_card_texts,
    document_cards,
    title_subject,
)
from knowledge.embeddings import TextVectors
from knowledge.glossary import Glossary
from knowledge.lexical import USER_DICT, BM25Index, TokenCache, Tokenizer
from knowledge.models import Chunk, Hit
from knowledge.query import EVIDENCE, analyze, fact_kinds
from knowledge.ranking import (
    FEATURES,
    RANKER_PATH,
    TreeRanker,
    bigram_list,
    length_feature,
    weighted_share,
)
from knowledge.sentences import SentenceVectors
from knowledge.store import KnowledgeStore
from knowledge.thesaurus import Thesaurus
from knowledge.unanswered import (
    OUTSIDE,
    OUTSIDE_PATH,
    UNANSWERED,
    UNANSWERED_PATH,
    current,
    read_outside,
    read_unanswered,
)
from knowledge.versions import VersionMap, build_version_map

log = logging.getLogger(__name__)

ROUTED_DOCS = 3  # documents whose cards a message names that add candidates of their own
ROUTED_PASSAGES = 3  # passages each of them adds (its nearest in meaning)
ASKED_CANDIDATES = 20  # passages whose written questions come nearest the query join the candidates
ASKED_GAP_CAP = 0.3  # a passage with no written question counts as this far below the best one
# what domain_signals reads of a question (knowledge.domain describes each)
DOMAIN_SIGNALS = ("dense_top1", "dense_top5", "doc_top1", "sentence_top1", "asked_top1", "title_named", "known_share",
                  "known_idf", "lex_cover", "length", "unanswered_top1", "outside_top1", "outside_margin")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年|版)")


@dataclass
class SearchOptions:
    """Knobs of the ranking, each measured by ``bot eval-search --ablate`` (tune, heldout and dev side by side)."""

    candidates: int = 50  # per retriever, before fusion
    # "learned": the ranking model of knowledge/data/ranker.json (falls back to "score" without it);
    # "score": convex mix of min-max normalised scores; "rrf": reciprocal rank fusion
    fusion: str = "learned"
    topic_weight: float = 0.5  # BM25 weight of an earlier turn's words relative to the current message's
    rrf_k: int = 60
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    prefer_newest: bool = True
    use_glossary: bool = True
    glossary_rewrite: bool = True  # the e5 query reads a spoken form the corpus lacks as its official term
    expansion_weight: float = 0.6  # BM25 weight of a glossary term relative to the user's own words
    use_thesaurus: bool = False  # measured neutral-to-worse once written questions came (docs/benchmarks.md)
    thesaurus_weight: float = 0.3  # BM25 weight of a 词林 synonym (looser than the operator's glossary)
    use_cards: bool = True  # document cards as ranking features and as a route to candidates
    use_asked: bool = True  # the questions written for passages, as features and as a route to candidates
    understand: bool = True  # focus long messages on their question, detect questions about the past


@dataclass
class _Snapshot:
    chunks: list[Chunk]
    index_of: dict[str, int]
    bm25: BM25Index
    token_sets: list[frozenset[str]]
    versions: VersionMap
    vectors: np.ndarray  # chunk vectors, row i = chunks[i] (exact dense search, no HNSW recall loss)
    doc_index: np.ndarray  # row i → index of its document in doc_ids
    doc_ids: list[str]
    doc_centroids: np.ndarray  # normalised mean vector of each document's chunks
    title_tokens: list[frozenset[str]]  # per document
    title_subjects: frozenset[str]  # what the documents' titles are about (住房公积金, 劳动合同 …)
    doc_bm25: BM25Index  # over whole documents (all their chunks' tokens): which document is meant
    bigram_bm25: BM25Index  # over each chunk's character bigrams
    sentence_vectors: np.ndarray  # every chunk's sentences, in chunk order (knowledge.sentences)
    sentence_bounds: np.ndarray  # chunk i's sentences are rows sentence_bounds[i]:sentence_bounds[i + 1]
    card_bm25: BM25Index  # per document: its card (title, what it governs, everyday names, headings)
    card_vectors: np.ndarray  # per document: its card's vector
    card_texts: list[str]
    cards: list[Card | None]  # per document: its card (or another version's), None when it has none
    card_phrases: dict[str, list[int]]  # a card's phrase → the documents whose cards list it
    card_pattern: re.Pattern | None  # finds those phrases in a message, longest first
    staff_phrases: dict[str, list[int]]  # phrases staff added to cards → those documents
    staff_pattern: re.Pattern | None
    asked_vectors: np.ndarray  # the questions written for passages (knowledge.asked), embedded as queries
    asked_owner: np.ndarray  # question j belongs to chunk asked_owner[j] (sorted: a chunk's are contiguous)
    asked_bounds: np.ndarray  # chunk i's questions are rows asked_bounds[i]:asked_bounds[i + 1]
    asked_quotes: list[str]  # question j's quote: the sentence it asks about
    asked_bm25: BM25Index  # over those questions' tokens
    unanswered_vectors: np.ndarray  # questions the live documents do not answer (knowledge.unanswered), as queries
    unanswered_sources: np.ndarray  # question j's document (source file name)
    outside_vectors: np.ndarray  # messages outside the domain altogether (knowledge.unanswered), as queries
    built_at: float = field(default_factory=time.time)


class HybridSearcher:
    """Searches the store's chunks; call ``refresh()`` after the store changes."""

    def __init__(self, store: KnowledgeStore, glossary: Glossary | None = None, token_cache: Path | None = None,
                 options: SearchOptions | None = None, reload_interval: float = 2.0,
                 ranker_path: Path | None = RANKER_PATH, sentence_cache_dir: Path | None = None,
                 cards: DocumentCards | None = None, asked_path: Path | None = ASKED_PATH,
                 asked_edits_path: Path | None = None, unanswered_path: Path | None = UNANSWERED_PATH,
                 outside_path: Path | None = OUTSIDE_PATH) -> None:
        self.store = store
        self.written = WrittenQuestions(asked_path, asked_edits_path)
        self.asked_vectors = TextVectors(store.embeddings, ASKED, sentence_cache_dir, as_queries=True)
        self.unanswered = read_unanswered(unanswered_path)
        self.unanswered_vectors = TextVectors(store.embeddings, UNANSWERED, sentence_cache_dir, as_queries=True)
        self.outside = read_outside(outside_path)
        self.outside_vectors = TextVectors(store.embeddings, OUTSIDE, sentence_cache_dir, as_queries=True)
        self.sentence_vectors = SentenceVectors(store.embeddings, sentence_cache_dir)
        self.cards = cards or DocumentCards()
        self.card_vectors = TextVectors(store.embeddings, CARDS, sentence_cache_dir)
        # One BLAS thread: a query's matrix-vector product takes ~1 ms on one core, while OpenBLAS's
        # spinning worker threads starve the next query embedding (measured: 85 ms instead of 10 ms).
        threadpool_limits(limits=1, user_api="blas")
        self.ranker = TreeRanker.load(ranker_path) if ranker_path else None
        self.glossary = glossary or Glossary()
        self.thesaurus = Thesaurus.load()
        self.options = options or SearchOptions()
        self.tokenizer = Tokenizer((USER_DICT,), extra_words=self.glossary.words())
        self._token_cache_path = token_cache
        self._token_cache = TokenCache(token_cache, self.tokenizer.signature)
        self._snap: _Snapshot | None = None
        self._reload_interval = reload_interval
        self._last_check = time.monotonic()
        self._refresh_lock = threading.Lock()
        self._reindex: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self._snap is not None

    @property
    def chunk_count(self) -> int:
        return len(self._snap.chunks) if self._snap else 0

    def refresh(self, tokenizer: Tokenizer | None = None) -> None:
        """Rebuild the derived indexes from the store (with a new tokenizer after a glossary change)."""
        with self._refresh_lock:
            t0 = time.perf_counter()
            tok = tokenizer or self.tokenizer
            cache = self._token_cache if tok is self.tokenizer else TokenCache(self._token_cache_path, tok.signature)
            chunks = self.store.all_chunks()
            chunks.sort(key=lambda c: (c.doc_id, c.start))
            tokens = [cache.get_or_make(c.embed_key, c.index_text, tok) for c in chunks]
            cache.save({c.embed_key for c in chunks})
            versions = build_version_map(self.store.list_documents())
            vectors = self.store.chunk_vectors([c.chunk_id for c in chunks])
            doc_ids = sorted({c.doc_id for c in chunks})
            doc_pos = {d: i for i, d in enumerate(doc_ids)}
            doc_index = np.array([doc_pos[c.doc_id] for c in chunks], dtype=np.int32)
            centroids = np.zeros((len(doc_ids), vectors.shape[1] if vectors.size else 0), dtype=np.float32)
            np.add.at(centroids, doc_index, vectors)
            centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
            titles = {c.doc_id: c.title for c in chunks}
            title_tokens = [frozenset(tok.tokenize(titles[d])) for d in doc_ids]
            doc_tokens: list[list[str]] = [[] for _ in doc_ids]
            for c, t in zip(chunks, tokens, strict=True):
                doc_tokens[doc_pos[c.doc_id]].extend(t)
            grams = [bigram_list(c.text) for c in chunks]  # once: for the bigram feature and bigram BM25
            self.sentence_vectors.update(chunks)
            sentence_matrix, sentence_bounds = self.sentence_vectors.matrix(chunks)
            doc_cards = document_cards(chunks, doc_ids, self.cards)
            card_texts = document_card_texts(chunks, doc_ids, doc_cards)
            phrases = card_phrases(doc_cards)
            staff: dict[str, list[int]] = {}
            for d, source in enumerate(self._sources(chunks, doc_ids)):
                for phrase in self.cards.added(source):
                    staff.setdefault(phrase, []).append(d)
            self.card_vectors.hold(card_texts)
            held = self.card_vectors.known()
            card_matrix = (np.vstack([held[t] for t in card_texts]).astype(np.float32) if card_texts
                           else np.zeros((0, vectors.shape[1] if vectors.size else 0), np.float32))
            source = {c.doc_id: c.source for c in chunks}
            successor = {source[o]: source[n] for o, n in versions.superseded_by.items() if o in source and n in source}
            asked, asked_owner = attach(chunks, with_predecessors(self.written.all(), successor))
            asked_texts = [q.question for q in asked]
            self.asked_vectors.hold(asked_texts)
            held = self.asked_vectors.known()
            asked_matrix = (np.vstack([held[t] for t in asked_texts]).astype(np.float32) if asked_texts
                            else np.zeros((0, card_matrix.shape[1]), np.float32))
            live = {c.source for c in chunks if c.doc_id not in versions.superseded_by}
            unanswered = current(self.unanswered, live)
            unanswered_texts = [q.question for q in unanswered]
            self.unanswered_vectors.hold(unanswered_texts)
            held = self.unanswered_vectors.known()
            unanswered_matrix = (np.vstack([held[t] for t in unanswered_texts]).astype(np.float32)
                                 if unanswered_texts else np.zeros((0, card_matrix.shape[1]), np.float32))
            self.outside_vectors.hold(self.outside)
            held = self.outside_vectors.known()
            outside_matrix = (np.vstack([held[t] for t in self.outside]).astype(np.float32) if self.outside
                              else np.zeros((0, card_matrix.shape[1]), np.float32))
            snap = _Snapshot(chunks, {c.chunk_id: i for i, c in enumerate(chunks)}, BM25Index(tokens),
                             [frozenset(t) for t in tokens], versions, vectors, doc_index, doc_ids, centroids,
                             title_tokens, frozenset(filter(None, map(title_subject, titles.values()))),
                             BM25Index(doc_tokens), BM25Index(grams),
                             sentence_matrix, sentence_bounds,
                             BM25Index([tok.tokenize(t) for t in card_texts]), card_matrix, card_texts,
                             doc_cards, phrases, _alternation(phrases), staff, _alternation(staff), asked_matrix, asked_owner,
                             np.searchsorted(asked_owner, np.arange(len(chunks) + 1)), [q.quote for q in asked],
                             BM25Index([tok.tokenize(t) for t in asked_texts]), unanswered_matrix,
                             np.array([q.source for q in unanswered], dtype=object), outside_matrix)
            # swap together: queries must be tokenized the way the index was
            self._snap, self.tokenizer, self._token_cache = snap, tok, cache
            log.info("search index: %d chunks in %.0f ms", len(chunks), (time.perf_counter() - t0) * 1000)

    @staticmethod
    def _sources(chunks: list[Chunk], doc_ids: list[str]) -> list[str]:
        source = {c.doc_id: c.source for c in chunks}
        return [source[d] for d in doc_ids]

    def card_of(self, doc_id: str) -> Card | None:
        """The card the search uses for a document: its own, or another version's of the same title."""
        snap = self._snap
        if snap is None or doc_id not in snap.doc_ids:
            return None
        return snap.cards[snap.doc_ids.index(doc_id)]

    def card_text(self, doc_id: str) -> str:
        """The card text indexed for a document ('' when it is not indexed)."""
        snap = self._snap
        if snap is None or doc_id not in snap.doc_ids:
            return ""
        return snap.card_texts[snap.doc_ids.index(doc_id)]

    def check_glossary(self) -> bool:
        """Reload the glossary and the cards if their files changed; glossary expansions apply at once, the
        tokenizer and the card index in the background."""
        now = time.monotonic()
        if now - self._last_check < self._reload_interval:
            return False
        self._last_check = now
        glossary_changed = self.glossary.reload()
        if not (self.cards.reload() or glossary_changed):
            return False
        tok = Tokenizer((USER_DICT,), extra_words=self.glossary.words()) if glossary_changed else None
        # Not a daemon: a daemon thread killed at interpreter exit while inside Chroma's Rust bindings
        # crashes the process (SIGSEGV); exit waits the few seconds a reindex takes instead.
        self._reindex = threading.Thread(target=self.refresh, args=(tok,), name="glossary-reindex")
        self._reindex.start()
        return True

    def wait_reindexed(self, timeout: float | None = None) -> bool:
        """Wait for a background reindex started by a glossary change; True when none is running."""
        if self._reindex is not None:
            self._reindex.join(timeout)
        return self._reindex is None or not self._reindex.is_alive()

    def plan(self, query: str, own: str | None = None) -> tuple[str, dict[str, float], list[str]]:
        """The dense query text, weighted BM25 terms and glossary expansions for a query.

        ``own`` is the current message when ``query`` also carries an earlier turn's topic: the
        message's own words then weigh 1 and the topic's ``topic_weight``, so the old topic cannot
        outweigh the new question.
        """
        o = self.options
        expansions = self.glossary.expand(own or query) if o.use_glossary else []
        terms: dict[str, float] = {}
        own_tokens = set(self.tokenizer.tokenize(own)) if own else None
        for t in self.tokenizer.tokenize(query):
            w = 1.0 if own_tokens is None or t in own_tokens else o.topic_weight
            terms[t] = max(terms.get(t, 0.0), w) if own_tokens is not None else terms.get(t, 0.0) + 1.0
        for e in expansions:
            for t in self.tokenizer.tokenize(e):
                terms[t] = max(terms.get(t, 0.0), o.expansion_weight)
        if o.use_thesaurus and self._snap is not None:
            for t in list(terms):
                for syn in self.thesaurus.expand(t):
                    if syn not in terms and self._snap.bm25.df(syn) > 0:
                        terms[syn] = o.thesaurus_weight
        # the dense side reads glossary terms only through ``query_vector``
        return query, terms, expansions

    def query_vector(self, text: str) -> np.ndarray:
        """The e5 vector of a query. A spoken form the corpus never uses, which the glossary maps to an official
        term (``Glossary.rewrite``), is read as the rewritten text: one embedding, as for any question.
        (Appending glossary terms to the e5 query measured worse in an earlier build; the mean of both
        readings measured the same on tune and held-out but embedded a rewritten question twice, the search's
        slowest 5%.)"""
        o = self.options
        alt = self.glossary.rewrite(text, self._known) if o.use_glossary and o.glossary_rewrite else text
        return np.asarray(self.store.embeddings.embed_query_vectors([alt])[0], dtype=np.float32)

    def _known(self, phrase: str) -> bool:
        """Does the corpus use this phrase (as one token, or all of its tokens)?"""
        snap = self._snap
        if snap is None:
            return True
        return snap.bm25.df(phrase) > 0 or all(snap.bm25.df(t) > 0 for t in self.tokenizer.tokenize(phrase))

    def sentence_similarity(self, query: str, texts: list[str]) -> np.ndarray:
        """Cosine of each sentence with the query (whose vector the search already cached)."""
        return self.sentence_vectors.similarity(self.query_vector(query), texts)

    def asked_of(self, query: str, chunk_id: str) -> list[tuple[str, float]]:
        """The questions written for a chunk, as (quote, cosine with the query): which of its sentences
        people ask about in words like these."""
        snap = self._snap
        if snap is None or chunk_id not in snap.index_of:
            return []
        i = snap.index_of[chunk_id]
        lo, hi = int(snap.asked_bounds[i]), int(snap.asked_bounds[i + 1])
        if lo == hi:
            return []
        sims = snap.asked_vectors[lo:hi] @ self.query_vector(query)
        return list(zip(snap.asked_quotes[lo:hi], map(float, sims), strict=True))

    def document_frequency(self, term: str) -> int:
        return self._snap.bm25.df(term) if self._snap else 0

    def idf(self, term: str) -> float:
        return self._snap.bm25.idf(term) if self._snap else 0.0

    def chunk_tokens(self, chunk_id: str) -> frozenset[str]:
        """The indexed tokens of a chunk (title and chapter context included)."""
        snap = self._snap
        if snap is None or chunk_id not in snap.index_of:
            return frozenset()
        return snap.token_sets[snap.index_of[chunk_id]]

    def all_chunks(self) -> list[Chunk]:
        return list(self._snap.chunks) if self._snap else []

    def chunk_at(self, index: int) -> Chunk:
        """The chunk at a candidate index of the current snapshot."""
        return self._snap.chunks[index]

    def chunk(self, chunk_id: str) -> Chunk | None:
        snap = self._snap
        if snap is None or chunk_id not in snap.index_of:
            return None
        return snap.chunks[snap.index_of[chunk_id]]

    def superseded_map(self) -> dict[str, str]:
        """old doc_id → newest doc_id of the same title."""
        return dict(self._snap.versions.superseded_by) if self._snap else {}

    def versions_of(self, title: str) -> int:
        """How many dated versions of a title are stored (1 when only one)."""
        return len(self._snap.versions.versions.get(title, ())) or 1 if self._snap else 1

    def superseded_by(self, doc_id: str) -> str | None:
        return self._snap.versions.superseded_by.get(doc_id) if self._snap else None

    def lexical(self, query: str | dict[str, float], n: int) -> list[tuple[int, float]]:
        terms = self.tokenizer.tokenize(query) if isinstance(query, str) else query
        return self._snap.bm25.top(terms, n) if self._snap else []

    def dense(self, query: str, n: int) -> list[tuple[int, float]]:
        return self._dense(query, n)[0]

    def _dense(self, query: str, n: int, own: str | None = None) -> tuple[list[tuple[int, float]], np.ndarray,
                                                                          np.ndarray]:
        """Top-n chunks by exact cosine, with every chunk's cosine and the query vector.

        With ``own`` (the current message of a follow-up), the similarity is the mean of the whole
        query's and the message's own: the earlier topic gives context without drowning a new subject.
        """
        snap = self._snap
        if snap is None or not len(snap.chunks):
            return [], np.zeros(0), np.zeros(0)
        vec = self.query_vector(query)
        if own and own != query:
            vec = vec + self.query_vector(own)
            vec /= max(float(np.linalg.norm(vec)), 1e-9)
        sims = snap.vectors @ vec
        n = min(n, len(sims))
        top = np.argpartition(-sims, n - 1)[:n]
        top = top[np.argsort(-sims[top])]
        return [(int(i), float(sims[i])) for i in top], sims, vec

    def features(self, snap: _Snapshot, query: str, own: str, terms: dict[str, float], expansions: list[str],
                 lex: list[tuple[int, float]], den: list[tuple[int, float]], sims: np.ndarray, qvec: np.ndarray,
                 kinds: set[str], about_past: bool) -> tuple[list[int], np.ndarray]:
        """The candidates (union of both retrievers) and their feature rows, in ``FEATURES`` order."""
        # the current message's bigrams count fully, an earlier turn's (in ``query`` only) at the topic weight
        own_grams = set(bigram_list(own))
        gram_w = {g: 1.0 if g in own_grams else self.options.topic_weight for g in bigram_list(query)}
        gram_w.update(dict.fromkeys(own_grams, 1.0))
        gram_scores = snap.bigram_bm25.scores(gram_w)
        card_lex = snap.card_bm25.scores(terms)
        top_card_lex = float(card_lex.max()) if len(card_lex) and card_lex.max() > 0 else 1.0
        card_sims = snap.card_vectors @ qvec if len(snap.card_vectors) else np.zeros(len(snap.doc_ids))
        best_card = float(card_sims.max()) if len(card_sims) else 0.0
        named = self._card_named(snap, own)
        if not self.options.use_cards:  # (the ablation: the cards' features are zero, nothing is routed)
            card_lex, card_sims, named, best_card = np.zeros_like(card_lex), np.zeros_like(card_sims), named * 0, 0.0
        asked_best, asked_lex, asked_doc = self._asked(snap, qvec, terms)
        asked_top = np.zeros(0, dtype=np.int64)
        if self.options.use_asked and len(snap.asked_owner):
            part = np.argpartition(-asked_best, min(ASKED_CANDIDATES, len(asked_best) - 1))[:ASKED_CANDIDATES]
            asked_top = part[np.argsort(-asked_best[part])]
        cands = list(dict.fromkeys([i for i, _ in lex] + [i for i, _ in den] + self._routed(snap, named, sims)
                                   + [int(i) for i in asked_top if np.isfinite(asked_best[i])]))
        if not cands:
            return [], np.zeros((0, len(FEATURES)))
        idx = np.asarray(cands)
        lex_score = {i: s for i, s in lex}
        top_lex = lex[0][1] if lex and lex[0][1] > 0 else 1.0
        lex_rel = np.array([lex_score.get(i, 0.0) for i in cands]) / top_lex
        lex_rank = {i: r for r, (i, _) in enumerate(lex)}
        lex_rr = np.array([1.0 / (lex_rank[i] + 1) if i in lex_rank else 0.0 for i in cands])
        cand_sims = sims[idx].astype(np.float64)
        dense_rr = np.empty(len(cands))
        dense_rr[np.argsort(-cand_sims)] = 1.0 / np.arange(1, len(cands) + 1)
        best_dense = float(cand_sims.max())
        doc_sims = snap.doc_centroids @ qvec
        best_doc = float(doc_sims.max()) if len(doc_sims) else 0.0
        cand_docs = snap.doc_index[idx]
        votes = np.bincount(cand_docs, minlength=len(snap.doc_ids)) / len(cands)
        idf_w = {t: w * snap.bm25.idf(t) for t, w in terms.items() if snap.bm25.df(t) > 0}
        own_w = {t: snap.bm25.idf(t) for t in self.tokenizer.tokenize(own) if snap.bm25.df(t) > 0}
        exp_terms = {t for e in expansions for t in self.tokenizer.tokenize(e)}
        years = set(_YEAR.findall(own)) | set(_YEAR.findall(query))
        # the rest of the weighted terms came from the thesaurus
        syn_terms = set(terms) - set(self.tokenizer.tokenize(query)) - exp_terms
        top_gram = float(gram_scores[idx].max()) or 1.0
        doc_lex = snap.doc_bm25.scores(terms)
        top_doc_lex = float(doc_lex.max()) if len(doc_lex) and doc_lex.max() > 0 else 1.0
        best_sentence = self._best_sentences(snap, cands, qvec, cand_sims)
        # idf-weighted coverage of the query's (and the message's own) words, and the share of the message's
        # character bigrams, for every chunk at once from the postings
        idf_total, own_total = sum(idf_w.values()) or 1.0, sum(own_w.values()) or 1.0
        coverage = snap.bm25.presence(idf_w) / idf_total
        own_coverage = snap.bm25.presence(own_w) / own_total
        gram_share = snap.bigram_bm25.presence(dict.fromkeys(own_grams, 1.0)) / max(len(own_grams), 1)
        title_cov = np.array([weighted_share(idf_w, t) for t in snap.title_tokens])
        cand_asked, cand_asked_lex, cand_asked_doc, cand_asked_rr = self._asked_features(
            snap, cands, asked_best, asked_lex, asked_doc, asked_top, best_sentence, lex_rel)
        chunks = [snap.chunks[i] for i in cands]
        toks = [snap.token_sets[i] for i in cands]
        evidence = [EVIDENCE[k] for k in kinds if k in EVIDENCE]
        columns = [
            lex_rel, lex_rr, cand_sims, best_dense - cand_sims, dense_rr,
            doc_sims[cand_docs], best_doc - doc_sims[cand_docs], votes[cand_docs],
            doc_lex[cand_docs] / top_doc_lex, title_cov[cand_docs],
            coverage[idx], gram_share[idx], own_coverage[idx],
            [len(exp_terms & t) / len(exp_terms) if exp_terms else 0.0 for t in toks],
            [len(syn_terms & t) / len(syn_terms) if syn_terms else 0.0 for t in toks],
            [float(c.version_date[:4] in years) for c in chunks],
            [float(c.doc_id in snap.versions.superseded_by and not about_past) for c in chunks],
            [float(any(e.search(c.text) for e in evidence)) for c in chunks],
            [length_feature(len(c.text)) for c in chunks],
            gram_scores[idx] / top_gram, best_sentence,
            card_lex[cand_docs] / top_card_lex, card_sims[cand_docs], best_card - card_sims[cand_docs],
            named[cand_docs], cand_asked, cand_asked_rr, cand_asked_lex, cand_asked_doc,
        ]
        return cands, np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])

    def _asked_features(self, snap: _Snapshot, cands: list[int], best: np.ndarray, lex: np.ndarray, doc: np.ndarray,
                        top: np.ndarray, best_sentence: np.ndarray,
                        lex_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The four written-question features of each candidate: gap, reciprocal rank, BM25, document gap.

        A passage nobody wrote questions for (an upload, an article with nothing to ask) must not look like one
        whose questions missed: its question cosine is imputed from its best sentence cosine, shifted by the
        median difference of the two over the candidates that have questions (so the scales match), and its
        question BM25 is its own relative BM25."""
        n = len(cands)
        if not self.options.use_asked:
            return np.full(n, ASKED_GAP_CAP), np.zeros(n), np.zeros(n), np.full(n, ASKED_GAP_CAP)
        idx = np.asarray(cands)
        own = best[idx].astype(np.float64)
        has = np.isfinite(own)
        shift = float(np.median(own[has] - best_sentence[has])) if has.any() else 0.0
        own[~has] = best_sentence[~has] + shift
        top_overall = float(best[top[0]]) if len(top) and np.isfinite(best[top[0]]) else -np.inf
        peak = max(top_overall, float(own.max()))
        gaps = np.minimum(peak - own, ASKED_GAP_CAP)
        ranked = best[top][np.isfinite(best[top])]  # the best chunks' question cosines, descending
        rank = np.searchsorted(-ranked, -own)  # how many of them beat each candidate
        rr = np.where(rank < ASKED_CANDIDATES, 1.0 / (rank + 1), 0.0)
        top_q_lex = float(lex[idx][has].max()) if has.any() and lex[idx][has].max() > 0 else 1.0
        q_lex = np.where(has, lex[idx] / top_q_lex, lex_rel)
        docs = snap.doc_index[idx]
        doc_best = doc[docs].astype(np.float64)
        doc_best = np.where(np.isfinite(doc_best), doc_best, own)
        doc_peak = max(float(doc[np.isfinite(doc)].max()) if np.isfinite(doc).any() else -np.inf, float(doc_best.max()))
        return gaps, rr, q_lex, np.minimum(doc_peak - doc_best, ASKED_GAP_CAP)

    def _asked(self, snap: _Snapshot, qvec: np.ndarray, terms: dict[str, float]) -> tuple[np.ndarray, np.ndarray,
                                                                                        np.ndarray]:
        """Per chunk, the best cosine of the query with a question written for it and the best BM25 of such a
        question; per document, the best cosine over all its questions (−inf / 0 where there are none)."""
        n, n_docs = len(snap.chunks), len(snap.doc_ids)
        if not self.options.use_asked or not len(snap.asked_owner):
            return np.full(n, -np.inf), np.zeros(n), np.full(n_docs, -np.inf)
        best = best_per_chunk(snap.asked_vectors @ qvec, snap.asked_owner, n)
        lex = np.maximum(best_per_chunk(snap.asked_bm25.scores(terms), snap.asked_owner, n), 0.0)
        doc = np.full(n_docs, -np.inf)
        has = np.isfinite(best)
        np.maximum.at(doc, snap.doc_index[has], best[has])
        return best, lex, doc

    @staticmethod
    def _routed(snap: _Snapshot, named: np.ndarray, sims: np.ndarray) -> list[int]:
        """The best passages (by cosine) of the documents whose cards the message names: a question in words
        no passage shares (被炒鱿鱼了) still gets its statute's articles among the candidates."""
        out: list[int] = []
        for d in np.argsort(-named)[:ROUTED_DOCS]:
            if named[d] <= 0:
                break
            lo, hi = np.searchsorted(snap.doc_index, [d, d + 1])  # a document's chunks are contiguous
            best = np.argsort(-sims[lo:hi])[:ROUTED_PASSAGES]
            out += [int(lo + j) for j in best]
        return out

    @staticmethod
    def _staff_first(snap: _Snapshot, message: str, cands: list[int], scores: np.ndarray) -> np.ndarray:
        """Candidates of a document whose card staff gave a phrase the message names go first, in the model's
        order. Cards' shipped phrases are one feature among many (the model learned how far to trust them); a
        phrase staff added is an operator's statement of what the document is about, like a glossary entry,
        and no training data could weigh it."""
        if snap.staff_pattern is None or not len(scores):
            return scores
        docs = {d for m in snap.staff_pattern.finditer(message) for d in snap.staff_phrases[m.group(0)]}
        if not docs:
            return scores
        lead = np.array([snap.doc_index[i] in docs for i in cands])
        return np.where(lead, scores + (scores.max() - scores.min()) + 1.0, scores)

    @staticmethod
    def _card_named(snap: _Snapshot, message: str) -> np.ndarray:
        """Per document: the message names a phrase of its card verbatim, weighted 1 / (documents whose cards
        list that phrase): 炒鱿鱼 points at one statute, 补贴 at many."""
        out = np.zeros(len(snap.doc_ids))
        if snap.card_pattern is None:
            return out
        for m in snap.card_pattern.finditer(message):
            docs = snap.card_phrases[m.group(0)]
            out[docs] = np.maximum(out[docs], 1.0 / len(docs))
        return out

    @staticmethod
    def _best_sentences(snap: _Snapshot, cands: list[int], qvec: np.ndarray, passage_sims: np.ndarray) -> np.ndarray:
        """Per candidate chunk, the best cosine of the query with one of its sentences (the passage's when it
        has none): one gather and one matrix product for all candidates."""
        idx = np.asarray(cands)
        lo, counts = snap.sentence_bounds[idx], snap.sentence_bounds[idx + 1] - snap.sentence_bounds[idx]
        best = passage_sims.astype(np.float64).copy()
        if not counts.sum():
            return best
        starts = np.cumsum(counts) - counts
        rows = np.arange(counts.sum()) - np.repeat(starts, counts) + np.repeat(lo, counts)
        sims = snap.sentence_vectors[rows] @ qvec
        has = counts > 0
        best[has] = np.maximum.reduceat(sims, starts[has])
        return best

    def domain_signals(self, query: str, hidden: frozenset[str] = frozenset()) -> tuple[dict[str, float], np.ndarray]:
        """How close a question comes to the corpus, and its vector (the inputs of ``knowledge.domain``).

        ``hidden``: sources whose written questions (answered or not) are left out, so a question reads as one
        about a document nobody wrote questions for (an uploaded one): how the domain model is trained not to
        lean on them."""
        snap = self._snap
        if snap is None or not len(snap.chunks):
            return dict.fromkeys(DOMAIN_SIGNALS, 0.0), np.zeros(0)
        toks = list(dict.fromkeys(t for t in self.tokenizer.tokenize(query) if len(t) >= 2 or t.isdigit()))
        top, sims, qvec = self._dense(query, 5)
        doc_sims = snap.doc_centroids @ qvec
        idf = {t: snap.bm25.idf(t) for t in toks}  # an unseen word gets the rarest weight
        known = [t for t in toks if snap.bm25.df(t) > 0]
        lex = self.lexical({t: 1.0 for t in known}, 5)
        asked_sims = snap.asked_vectors @ qvec
        if hidden and len(asked_sims):
            asked_sims = asked_sims[[snap.chunks[o].source not in hidden for o in snap.asked_owner]]
        asked = float(asked_sims.max()) if len(asked_sims) else 0.0
        unanswered_sims = snap.unanswered_vectors @ qvec
        if hidden and len(unanswered_sims):
            unanswered_sims = unanswered_sims[[s not in hidden for s in snap.unanswered_sources]]
        outside = float((snap.outside_vectors @ qvec).max()) if len(snap.outside_vectors) else 0.0
        return {
            "dense_top1": top[0][1] if top else 0.0,
            "dense_top5": float(np.mean([s for _, s in top])) if top else 0.0,
            "doc_top1": float(doc_sims.max()) if len(doc_sims) else 0.0,
            "sentence_top1": float((snap.sentence_vectors @ qvec).max()) if len(snap.sentence_vectors) else 0.0,
            "asked_top1": asked,
            "title_named": float(any(t in query for t in snap.title_subjects)),
            "known_share": len(known) / len(toks) if toks else 0.0,
            "known_idf": sum(idf[t] for t in known) / sum(idf.values()) if toks else 0.0,
            "lex_cover": max((weighted_share(idf, snap.token_sets[i]) for i, _ in lex), default=0.0),
            "length": float(np.log1p(len(toks))),
            "unanswered_top1": float(unanswered_sims.max()) if len(unanswered_sims) else 0.0,
            "outside_top1": outside,
            "outside_margin": outside - asked,
        }, qvec

    def unanswered_top1(self, qvec: np.ndarray) -> float:
        """Cosine of a question's vector (``domain_signals``') and the nearest question written for the live
        documents that they do not answer (0: none)."""
        snap = self._snap
        if snap is None or not len(snap.unanswered_vectors) or not len(qvec):
            return 0.0
        return float((snap.unanswered_vectors @ qvec).max())

    def candidates(self, query: str, *, own: str | None = None, about_past: bool = False,
                   kinds: set[str] | None = None) -> tuple[list[int], np.ndarray]:
        """Feature rows of a query's candidates (what the ranking model is trained on)."""
        snap = self._snap
        if snap is None:
            return [], np.zeros((0, len(FEATURES)))
        o = self.options
        dense_text, terms, expansions = self.plan(query, own)
        lex = self.lexical(terms, o.candidates)
        den, sims, qvec = self._dense(dense_text, o.candidates, own)
        kinds = fact_kinds(own or query) if kinds is None else kinds
        return self.features(snap, query, own or query, terms, expansions, lex, den, sims, qvec, kinds, about_past)

    def search(self, query: str, k: int = 5, *, lexical_terms: dict[str, float] | None = None,
               about_past: bool | None = None, own: str | None = None) -> list[Hit]:
        """The ``k`` best chunks for a query.

        Args:
            query: the user's text (for the dense side and, unless ``lexical_terms`` is given, BM25).
            k: how many results, 1..50.
            lexical_terms: weighted BM25 terms (query expansion); defaults to the query's tokens.
            about_past: the question asks about an earlier version, so superseded versions are not
                pushed down; ``None`` detects it from the query (以前的规定, 2010年的条例 …).
            own: the current message when ``query`` also carries an earlier turn's topic.

        Returns:
            Hits, best first; each carries its fused score and per-retriever ranks.
        """
        snap = self._snap
        if snap is None:
            return []
        o = self.options
        self.check_glossary()
        kinds: set[str] = set()
        if o.understand and about_past is None:
            # a caller that passes about_past has analysed the query already (the answerer does)
            a = analyze(query)
            # a long message is searched on its question; the story around it only adds noise
            query = a.question if len(query) > 80 else query
            kinds = a.kinds
            about_past = a.about_past
        elif o.fusion == "learned":
            kinds = fact_kinds(own or query)
        dense_text, terms, expansions = self.plan(query, own)
        lex = self.lexical(lexical_terms if lexical_terms is not None else terms, o.candidates)
        den, sims, qvec = self._dense(dense_text, o.candidates, own)
        if o.fusion == "learned" and self.ranker is not None:
            cands, x = self.features(snap, query, own or query, terms, expansions, lex, den, sims, qvec, kinds,
                                     bool(about_past))
            scores = self.ranker.score(x) if cands else np.zeros(0)
            scores = self._staff_first(snap, own or query, cands, scores)
            lex_rank = {i: r + 1 for r, (i, _) in enumerate(lex)}
            den_rank = {i: r + 1 for r, (i, _) in enumerate(den)}
            order = np.argsort(-scores)[:k]
            return [Hit(chunk=snap.chunks[cands[j]], score=round(float(scores[j]), 6),
                        ranks={n: r[cands[j]] for n, r in (("lexical", lex_rank), ("dense", den_rank))
                               if cands[j] in r},
                        superseded_by=snap.versions.superseded_by.get(snap.chunks[cands[j]].doc_id))
                    for j in order]
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for name, weight, ranked in (("lexical", o.lexical_weight, lex), ("dense", o.dense_weight, den)):
            if not ranked:
                continue
            top_score, floor = ranked[0][1], ranked[-1][1]
            for rank, (idx, score) in enumerate(ranked):
                if o.fusion == "rrf":  # ("learned" without a model file falls back to "score")
                    part = weight / (o.rrf_k + rank + 1)
                else:
                    # Min-max over each retriever's candidates: a passage that BM25 finds far ahead of
                    # the rest keeps that lead, which rank fusion throws away.
                    part = weight * (score - floor) / (top_score - floor) if top_score > floor else weight
                fused[idx] = fused.get(idx, 0.0) + part
                ranks.setdefault(idx, {})[name] = rank + 1
        if o.prefer_newest and not about_past:  # None (not understood) counts as the present
            for idx in fused:
                if snap.chunks[idx].doc_id in snap.versions.superseded_by:
                    # An outdated version stays findable but ranks below the text in force.
                    fused[idx] *= 0.5
        order = sorted(fused, key=lambda i: -fused[i])[:k]
        return [Hit(chunk=snap.chunks[i], score=round(fused[i], 6), ranks=ranks[i],
                    superseded_by=snap.versions.superseded_by.get(snap.chunks[i].doc_id)) for i in order]


def _alternation(phrases: dict[str, list[int]]) -> re.Pattern | None:
    """One regex for all card phrases, longest first (公积金贷款 wins over 公积金 where both are listed)."""
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
