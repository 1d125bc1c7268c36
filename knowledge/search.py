"""Hybrid search: BM25 over jieba tokens and dense e5 vectors, fused by weighted reciprocal rank.

The in-memory part (chunk table, BM25, version map) is a snapshot derived from the store and
swapped atomically on refresh, so searches never see a half-built index.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.glossary import Glossary
from knowledge.lexical import USER_DICT, BM25Index, TokenCache, Tokenizer
from knowledge.models import Chunk, Hit
from knowledge.query import EVIDENCE, analyze
from knowledge.store import KnowledgeStore
from knowledge.versions import VersionMap, build_version_map

log = logging.getLogger(__name__)


@dataclass
class SearchOptions:
    """Knobs of the ranking, each measurable on the dev set (``bot eval-search``)."""

    candidates: int = 50  # per retriever, before fusion
    fusion: str = "score"  # "score": convex mix of normalised scores; "rrf": reciprocal rank fusion
    rrf_k: int = 60
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    prefer_newest: bool = True
    use_glossary: bool = True
    expansion_weight: float = 0.6  # BM25 weight of a glossary term relative to the user's own words
    # Off: measured neutral on dev (same hit@1/MRR at every weight tried, docs/benchmarks.md), and the
    # issue's rule is to keep a reranker only if it helps. The code stays for measuring on new data.
    rerank: bool = False
    rerank_depth: int = 30  # fused candidates the second stage looks at
    rerank_coverage: float = 0.5  # weight of idf-weighted query-term coverage of the passage
    rerank_kind: float = 0.1  # bonus when the passage states the kind of fact asked (amount, period…)
    understand: bool = True  # focus long messages on their question, detect questions about the past
    expand_dense: bool = False  # appending glossary terms to the e5 query measured worse (docs/benchmarks.md)


@dataclass
class _Snapshot:
    chunks: list[Chunk]
    index_of: dict[str, int]
    bm25: BM25Index
    token_sets: list[frozenset[str]]
    versions: VersionMap
    built_at: float = field(default_factory=time.time)


class HybridSearcher:
    """Searches the store's chunks; call ``refresh()`` after the store changes."""

    def __init__(self, store: KnowledgeStore, glossary: Glossary | None = None, token_cache: Path | None = None,
                 options: SearchOptions | None = None, reload_interval: float = 2.0) -> None:
        self.store = store
        self.glossary = glossary or Glossary()
        self.options = options or SearchOptions()
        self.tokenizer = Tokenizer((USER_DICT,), extra_words=self.glossary.words())
        self._token_cache_path = token_cache
        self._token_cache = TokenCache(token_cache, self.tokenizer.signature)
        self._snap: _Snapshot | None = None
        self._reload_interval = reload_interval
        self._last_check = time.monotonic()
        self._refresh_lock = threading.Lock()

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
            snap = _Snapshot(chunks, {c.chunk_id: i for i, c in enumerate(chunks)}, BM25Index(tokens),
                             [frozenset(t) for t in tokens], versions)
            # swap together: queries must be tokenized the way the index was
            self._snap, self.tokenizer, self._token_cache = snap, tok, cache
            log.info("search index: %d chunks in %.0f ms", len(chunks), (time.perf_counter() - t0) * 1000)

    def check_glossary(self) -> bool:
        """Reload the glossary if its file changed; expansions apply at once, the tokenizer in the background."""
        now = time.monotonic()
        if now - self._last_check < self._reload_interval:
            return False
        self._last_check = now
        if not self.glossary.reload():
            return False
        tok = Tokenizer((USER_DICT,), extra_words=self.glossary.words())
        threading.Thread(target=self.refresh, args=(tok,), name="glossary-reindex", daemon=True).start()
        return True

    def plan(self, query: str) -> tuple[str, dict[str, float], list[str]]:
        """The dense query text, weighted BM25 terms and glossary expansions for a query."""
        o = self.options
        expansions = self.glossary.expand(query) if o.use_glossary else []
        terms: dict[str, float] = {}
        for t in self.tokenizer.tokenize(query):
            terms[t] = terms.get(t, 0.0) + 1.0
        for e in expansions:
            for t in self.tokenizer.tokenize(e):
                terms[t] = max(terms.get(t, 0.0), o.expansion_weight)
        dense_text = f"{query} {' '.join(expansions)}" if expansions and o.expand_dense else query
        return dense_text, terms, expansions

    def document_frequency(self, term: str) -> int:
        return self._snap.bm25.df(term) if self._snap else 0

    def _rerank(self, snap: _Snapshot, fused: dict[int, float], terms: dict[str, float], kinds: set[str]) -> None:
        """Second stage over the fused top: how much of the question's weighted vocabulary a passage holds,
        and whether it states the kind of fact asked. Measured in docs/benchmarks.md (ablation)."""
        o = self.options
        weights = {t: w * snap.bm25.idf(t) for t, w in terms.items() if snap.bm25.df(t) > 0}
        total = sum(weights.values())
        if not total:
            return
        for idx in sorted(fused, key=lambda i: -fused[i])[:o.rerank_depth]:
            toks = snap.token_sets[idx]
            cov = sum(w for t, w in weights.items() if t in toks) / total
            kind = any(EVIDENCE[k].search(snap.chunks[idx].text) for k in kinds if k in EVIDENCE)
            fused[idx] += o.rerank_coverage * cov + o.rerank_kind * kind

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
        snap = self._snap
        if snap is None:
            return []
        vec = self.store.embeddings.embed_query_vector(query)
        return [(snap.index_of[cid], s) for cid, s in self.store.dense_search(vec, n, size=len(snap.chunks))
                if cid in snap.index_of]

    def search(self, query: str, k: int = 5, *, lexical_terms: dict[str, float] | None = None,
               about_past: bool | None = None) -> list[Hit]:
        """The ``k`` best chunks for a query.

        Args:
            query: the user's text (for the dense side and, unless ``lexical_terms`` is given, BM25).
            k: how many results, 1..50.
            lexical_terms: weighted BM25 terms (query expansion); defaults to the query's tokens.
            about_past: the question asks about an earlier version, so superseded versions are not
                pushed down; ``None`` detects it from the query (以前的规定, 2010年的条例 …).

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
        dense_text, terms, _ = self.plan(query)
        lex = self.lexical(lexical_terms if lexical_terms is not None else terms, o.candidates)
        den = self.dense(dense_text, o.candidates)
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for name, weight, ranked in (("lexical", o.lexical_weight, lex), ("dense", o.dense_weight, den)):
            if not ranked:
                continue
            top_score, floor = ranked[0][1], ranked[-1][1]
            for rank, (idx, score) in enumerate(ranked):
                if o.fusion == "rrf":
                    part = weight / (o.rrf_k + rank + 1)
                else:
                    # Min-max over each retriever's candidates: a passage that BM25 finds far ahead of
                    # the rest keeps that lead, which rank fusion throws away.
                    part = weight * (score - floor) / (top_score - floor) if top_score > floor else weight
                fused[idx] = fused.get(idx, 0.0) + part
                ranks.setdefault(idx, {})[name] = rank + 1
        if o.rerank and fused:
            self._rerank(snap, fused, terms, kinds)
        if o.prefer_newest and not about_past:  # None (not understood) counts as the present
            for idx in fused:
                if snap.chunks[idx].doc_id in snap.versions.superseded_by:
                    # An outdated version stays findable but ranks below the text in force.
                    fused[idx] *= 0.5
        order = sorted(fused, key=lambda i: -fused[i])[:k]
        return [Hit(chunk=snap.chunks[i], score=round(fused[i], 6), ranks=ranks[i],
                    superseded_by=snap.versions.superseded_by.get(snap.chunks[i].doc_id)) for i in order]
