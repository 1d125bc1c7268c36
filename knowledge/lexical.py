"""Lexical retrieval: jieba tokens and BM25 over the chunks' indexed text.

A derived index: built from the store's chunks, never written back. Tokens are cached on disk by
(tokenizer signature, content hash), so a restart re-tokenizes nothing that has not changed.
"""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import jieba
import numpy as np

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"

# Function words and question chatter that carry no topic; dropping them keeps BM25 on the
# words that decide which passage is meant.
STOPWORDS = frozenset("""
的 了 和 与 及 或 是 在 有 吗 呢 吧 啊 呀 哦 嘛 么 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这些 那些
什么 怎么 怎样 如何 多少 哪些 哪个 哪里 哪 几 吗 能 能否 可以 可不可以 会 要 想 请问 一下 一些 就 都 也 还
对 把 被 给 让 向 从 到 为 以 于 之 其 等 个 上 下 中 里 后 前 时 没有 有没有 是不是 呢 啥 咋 么
你好 您好 谢谢 麻烦 请 问 想问 问问 知道 一般 大概 大约 具体 现在 目前 最近 一点 这边 那边 这里 那里
看看 办法 情况 问题 这样 那样 还是 但是 因为 所以 如果 的话 已经 真的 比较 应该 需要 可能 是否
不是 得 几个 多久 多长 能不能 行不行 对不对 怎么样 咋办
""".split())

_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


def _signature(paths: Sequence[Path], extra: str = "") -> str:
    h = hashlib.sha1(extra.encode())
    for p in paths:
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


class Tokenizer:
    """jieba with the knowledge base's user dictionary (programme names stay whole: 知识价值信用贷).

    Args:
        user_dicts: jieba dictionary files (word [freq] [tag] per line).
        extra_words: further words to keep whole (e.g. glossary terms).
    """

    def __init__(self, user_dicts: Sequence[Path] = (USER_DICT,), extra_words: Iterable[str] = ()) -> None:
        self._cache: dict[str, tuple[str, ...]] = {}
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        words = sorted(set(extra_words))
        for d in user_dicts:
            if Path(d).exists():
                self._jieba.load_userdict(str(d))
        for w in words:
            self._jieba.add_word(w, freq=20000)
        self.signature = _signature(list(user_dicts), "\n".join(words) + "|" + " ".join(sorted(STOPWORDS)))

    def tokenize(self, text: str) -> list[str]:
        """Search-mode tokens (long words and their parts), width-normalised, without stopwords.

        Cached: answering tokenizes the same passages' sentences again and again, and jieba is the
        largest cost of an answer.
        """
        hit = self._cache.get(text)
        if hit is None:
            hit = self._tokenize(text)
            if len(self._cache) >= 200_000:
                self._cache.clear()
            self._cache[text] = hit
        return list(hit)

    def _tokenize(self, text: str) -> tuple[str, ...]:
        text = unicodedata.normalize("NFKC", text).lower()
        return tuple(t for t in self._jieba.cut_for_search(text)
                     if t.strip() and _KEEP.search(t) and t not in STOPWORDS)


class BM25Index:
    """Okapi BM25 with precomputed per-term weight vectors: a query costs one add per posting."""

    def __init__(self, docs_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs_tokens)
        lengths = np.array([len(t) for t in docs_tokens], dtype=np.float32)
        avgdl = float(lengths.mean()) if self.n else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, toks in enumerate(docs_tokens):
            for term, tf in Counter(toks).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        for term, (ids, tfs) in postings.items():
            idx = np.array(ids, dtype=np.int32)
            tf = np.array(tfs, dtype=np.float32)
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            self._idf[term] = idf
            self._postings[term] = (idx, (idf * tf * (k1 + 1) / (tf + norm[idx])).astype(np.float32))

    def df(self, term: str) -> int:
        hit = self._postings.get(term)
        return 0 if hit is None else len(hit[0])

    def idf(self, term: str) -> float:
        """Inverse document frequency; an unseen term gets the rarest possible weight."""
        return self._idf.get(term, math.log(1 + (self.n + 0.5) / 0.5) if self.n else 0.0)

    def presence(self, weights: dict[str, float]) -> np.ndarray:
        """Per document, the sum of the weights of the terms it contains (an idf-weighted coverage for all
        documents at once: one add per posting instead of a set lookup per document and term)."""
        out = np.zeros(self.n, dtype=np.float64)
        for term, w in weights.items():
            hit = self._postings.get(term)
            if hit is not None:
                out[hit[0]] += w
        return out

    def scores(self, query_tokens: Sequence[str] | dict[str, float]) -> np.ndarray:
        """BM25 score of every document; a dict gives each query term a weight (expansions < 1)."""
        weights = query_tokens if isinstance(query_tokens, dict) else Counter(query_tokens)
        out = np.zeros(self.n, dtype=np.float32)
        for term, w in weights.items():
            hit = self._postings.get(term)
            if hit is not None:
                out[hit[0]] += w * hit[1]
        return out

    def top(self, query_tokens: Sequence[str] | dict[str, float], k: int) -> list[tuple[int, float]]:
        s = self.scores(query_tokens)
        if not self.n:
            return []
        k = min(k, self.n)
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx])]
        return [(int(i), float(s[i])) for i in idx if s[i] > 0]


class TokenCache:
    """Tokens per content hash, persisted beside the store (a derived file, safe to delete)."""

    def __init__(self, path: Path | None, signature: str) -> None:
        self.path = path
        self.signature = signature
        self.tokens: dict[str, list[str]] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if path and path.exists():
            try:
                with path.open("rb") as f:
                    sig, tokens = pickle.load(f)
                if sig == signature:
                    self.tokens = tokens
            except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                log.warning("token cache %s unreadable; rebuilding", path)

    def get_or_make(self, key: str, text: str, tokenizer: Tokenizer) -> list[str]:
        toks = self.tokens.get(key)
        if toks is None:
            toks = tokenizer.tokenize(text)
            self.tokens[key] = toks
            self._dirty = True
        return toks

    def save(self, keep: set[str]) -> None:
        if not self.path or not self._dirty:
            return
        with self._lock:
            self.tokens = {k: v for k, v in self.tokens.items() if k in keep}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as f:
                pickle.dump((self.signature, self.tokens), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.path)
            self._dirty = False
