"""The operator-editable glossary: how people say things → the words of the documents.

Loaded from YAML at start and reloaded when the file changes, so an edit takes effect
without a code change or a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.yaml"


@dataclass
class Glossary:
    """Spoken form → official terms. ``expand(text)`` lists the official terms a text calls for."""

    path: Path | None = None
    entries: dict[str, list[str]] = field(default_factory=dict)
    mtime: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path | None = GLOSSARY_PATH) -> Glossary:
        g = cls(path=Path(path) if path else None)
        g.reload(force=True)
        return g

    def reload(self, force: bool = False) -> bool:
        """Re-read the file if it changed; returns True when the entries changed."""
        if self.path is None or not self.path.exists():
            return False
        mtime = self.path.stat().st_mtime
        if not force and mtime == self.mtime:
            return False
        with self._lock:
            try:
                raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            except (yaml.YAMLError, OSError) as exc:
                log.error("glossary %s not reloaded, keeping the previous one: %s", self.path, exc)
                self.mtime = mtime
                return False
            entries: dict[str, list[str]] = {}
            for section in ("synonyms", "abbreviations"):
                for key, targets in (raw.get(section) or {}).items():
                    if isinstance(targets, str):
                        targets = [targets]
                    entries.setdefault(str(key).strip(), []).extend(str(t).strip() for t in targets or [])
            changed = entries != self.entries
            self.entries, self.mtime = entries, mtime
        if changed:
            log.info("glossary: %d entries from %s", len(entries), self.path)
        return changed

    def expand(self, text: str) -> list[str]:
        """Official terms for the spoken forms in ``text`` that the text does not already contain."""
        out: list[str] = []
        for key, targets in self.entries.items():
            if key and key in text:
                out.extend(t for t in targets if t and t not in text and t not in out)
        return out

    def rewrite(self, text: str, known: Callable[[str], bool]) -> str:
        """``text`` with each spoken form the documents never use (``known`` says False) replaced by its first
        official term: a word the corpus lacks only blurs the question's meaning, the operator's term for it
        says what it means (蓝本本怎么办 → 营业执照怎么办)."""
        present = [k for k in self.entries if k and k in text]  # usually none: no sort on the hot path
        for key in sorted(present, key=len, reverse=True):  # longest first (公积金贷款 before 公积金)
            targets = [t for t in self.entries[key] if t]
            if targets and key in text and not known(key):
                text = text.replace(key, targets[0])
        return text

    def words(self) -> list[str]:
        """Every term, to keep whole in the tokenizer's dictionary."""
        terms = set(self.entries)
        for targets in self.entries.values():
            terms.update(targets)
        return sorted(t for t in terms if 2 <= len(t) <= 12)
