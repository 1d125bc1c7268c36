"""Document cards: what a document governs, whom it concerns, and the everyday names of its subjects.

A card lets a question in everyday words (被辞退了怎么办) find the document written in statutory ones
(解除劳动合同). The shipped documents' cards are data (``knowledge/data/cards.yaml``), written from each
document's own text by writers who saw no evaluation question. A document without a card (an upload)
gets a default one from its title and chapter headings. Staff edit any card through the staff API; their
edits live in a file in the data directory that overrides the shipped card. Both files are re-read when
they change, so an edit takes effect without a code change or a restart.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from knowledge.errors import InvalidCard
from knowledge.models import Chunk

log = logging.getLogger(__name__)

CARDS = "cards"  # the kind of the cards' vector caches
CARDS_PATH = Path(__file__).resolve().parent / "data" / "cards.yaml"
MAX_TEXT = 200  # characters of governs / applies_to
MAX_TERMS = 40  # subjects / everyday phrases per card
MAX_TERM = 20  # characters of one phrase
_CHAPTER = re.compile(r"^第[零一二三四五六七八九十百千〇0-9]+[章节编]\s*")
_ARTICLE = re.compile(r"^第[零一二三四五六七八九十百千〇0-9]+条")  # a document without chapters: no heading


@dataclass(frozen=True)
class Card:
    governs: str = ""
    applies_to: str = ""
    subjects: tuple[str, ...] = ()
    everyday: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict) -> Card:
        """A card from its YAML/JSON form; raises ``InvalidCard`` with the reason."""
        if not isinstance(raw, dict):
            raise InvalidCard("a card is a mapping of governs, applies_to, subjects, everyday")
        unknown = set(raw) - {"governs", "applies_to", "subjects", "everyday", "file"}
        if unknown:
            raise InvalidCard(f"unknown card fields: {', '.join(sorted(unknown))}")
        texts = {}
        for name in ("governs", "applies_to"):
            value = raw.get(name) or ""
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise InvalidCard(f"{name} must be text of at most {MAX_TEXT} characters")
            texts[name] = value.strip()
        lists = {}
        for name in ("subjects", "everyday"):
            value = raw.get(name) or []
            if isinstance(value, str):
                value = re.split(r"[，,、;；\s]+", value)
            if not isinstance(value, list) or len(value) > MAX_TERMS:
                raise InvalidCard(f"{name} must be a list of at most {MAX_TERMS} phrases")
            terms = [str(t).strip() for t in value if str(t).strip()]
            if any(len(t) > MAX_TERM for t in terms):
                raise InvalidCard(f"each phrase of {name} has at most {MAX_TERM} characters")
            lists[name] = tuple(dict.fromkeys(terms))
        return cls(**texts, **lists)

    def as_dict(self) -> dict:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @property
    def empty(self) -> bool:
        return not (self.governs or self.applies_to or self.subjects or self.everyday)


def chapter_headings(sections: list[str]) -> list[str]:
    """A document's chapter names, in order and once each, from its chunks' section paths
    (``第三章 融资促进 > 第十九条`` → ``融资促进``)."""
    out: dict[str, None] = {}
    for s in sections:
        head = _CHAPTER.sub("", s.split(" > ")[0]).strip()
        if head and not _ARTICLE.match(head) and head not in ("题注", "正文", "附则", "总则"):
            out.setdefault(head, None)
    return list(out)


_TITLE_PREFIX = re.compile(r"^(中华人民共和国|重庆市|中国（重庆）|[^（）]{2,12}自治县|实施)")
_TITLE_SUFFIX = re.compile(r"(法实施条例|法实施细则|实施细则|暂行条例|实施办法|条例|办法|规定|规则)$")
_TITLE_TAIL = re.compile(r"(管理|工作)$")
MIN_SUBJECT, MAX_SUBJECT = 2, 16  # characters of a title's subject (a report's long title has none)


def title_subject(title: str) -> str:
    """What a document's title is about, without its frame: 住房公积金管理条例 → 住房公积金, 重庆市实施《中华人民共和国
    水土保持法》办法 → 水土保持 ('' when nothing of two to sixteen characters is left)."""
    subject = re.sub(r"[《》〈〉]", "", title)
    while (short := _TITLE_PREFIX.sub("", subject)) != subject:
        subject = short
    suffix = _TITLE_SUFFIX.search(subject)
    if suffix:
        subject = subject[:suffix.start()]
        while (short := _TITLE_PREFIX.sub("", subject)) != subject:
            subject = short
    if (suffix is None or suffix.group(0) == "办法") and subject.endswith("法"):
        subject = subject[:-1]  # 劳动合同法, 实施《水土保持法》办法: the law's name, not 立法 in 地方立法条例
    subject = _TITLE_TAIL.sub("", subject)
    return subject if MIN_SUBJECT <= len(subject) <= MAX_SUBJECT else ""


def card_text(title: str, card: Card | None, headings: list[str]) -> str:
    """The text indexed for a document: its title, its card, its chapter headings."""
    parts = [title]
    if card is not None:
        parts += [card.governs, card.applies_to, "、".join(card.subjects), "、".join(card.everyday)]
    parts.append("、".join(headings))
    return "。".join(p.rstrip("。；;，, ") for p in parts if p.rstrip("。；;，, "))


def document_cards(chunks: list[Chunk], doc_ids: list[str], cards: DocumentCards) -> list[Card | None]:
    """Each document's card in ``doc_ids`` order. A document without one takes the card of another version of
    the same title (the newest that has one): a new 劳动合同法 uploaded by staff keeps the everyday names."""
    first: dict[str, Chunk] = {}
    for c in chunks:
        first.setdefault(c.doc_id, c)
    by_title: dict[str, tuple[str, Card]] = {}
    for c in first.values():
        card = cards.get(c.source)
        if card is not None and c.version_date >= by_title.get(c.title, ("", card))[0]:
            by_title[c.title] = (c.version_date, card)
    return [cards.get(first[d].source) or by_title.get(first[d].title, ("", None))[1] for d in doc_ids]


def document_card_texts(chunks: list[Chunk], doc_ids: list[str], doc_cards: list[Card | None]) -> list[str]:
    """Each document's card text (its card from ``document_cards``, its title, its headings), in ``doc_ids`` order."""
    titles: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    for c in chunks:
        titles.setdefault(c.doc_id, c.title)
        sections.setdefault(c.doc_id, []).append(c.section)
    return [card_text(titles[d], card, chapter_headings(sections[d]))
            for d, card in zip(doc_ids, doc_cards, strict=True)]


def card_phrases(doc_cards: list[Card | None]) -> dict[str, list[int]]:
    """Each card phrase (subjects and everyday names, two characters or more) → the indexes (in the order of
    ``doc_cards``) of the documents whose cards list it."""
    out: dict[str, list[int]] = {}
    for i, card in enumerate(doc_cards):
        if card is not None:
            for p in dict.fromkeys(card.subjects + card.everyday):
                if len(p) >= 2:
                    out.setdefault(p, []).append(i)
    return out


class DocumentCards:
    """The cards by document source (file name): shipped ones, overridden by staff edits."""

    def __init__(self, shipped_path: Path | None = CARDS_PATH, edits_path: Path | None = None) -> None:
        self.shipped_path = Path(shipped_path) if shipped_path else None
        self.edits_path = Path(edits_path) if edits_path else None
        self._shipped: dict[str, Card] = {}
        self._edits: dict[str, Card] = {}
        self._mtimes: tuple[float, float] = (-1.0, -1.0)
        self._lock = threading.Lock()
        self.reload(force=True)

    @staticmethod
    def _mtime(path: Path | None) -> float:
        return path.stat().st_mtime if path is not None and path.exists() else 0.0

    @staticmethod
    def _read(path: Path | None) -> dict[str, Card]:
        """source → card; a list entry names its source with ``file`` (a corpus path), a mapping by key.
        A broken entry is logged and skipped, never fatal."""
        if path is None or not path.exists():
            return {}
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = ([(Path(str(e.get("file", ""))).name, e) for e in raw if isinstance(e, dict)]
                 if isinstance(raw, list) else list(raw.items()))
        cards: dict[str, Card] = {}
        for source, entry in items:
            try:
                cards[str(source)] = Card.from_dict({k: v for k, v in (entry or {}).items() if k != "file"})
            except (InvalidCard, AttributeError) as exc:
                log.error("card for %s in %s skipped: %s", source, path, exc)
        return cards

    def reload(self, force: bool = False) -> bool:
        """Re-read the files if either changed; True when the cards changed."""
        mtimes = (self._mtime(self.shipped_path), self._mtime(self.edits_path))
        if not force and mtimes == self._mtimes:
            return False
        with self._lock:
            try:
                shipped, edits = self._read(self.shipped_path), self._read(self.edits_path)
            except (yaml.YAMLError, OSError) as exc:
                log.error("cards not reloaded, keeping the previous ones: %s", exc)
                self._mtimes = mtimes
                return False
            changed = (shipped, edits) != (self._shipped, self._edits)
            self._shipped, self._edits, self._mtimes = shipped, edits, mtimes
        if changed:
            log.info("document cards: %d shipped, %d edited", len(shipped), len(edits))
        return changed

    def get(self, source: str) -> Card | None:
        return self._edits.get(source) or self._shipped.get(source)

    def added(self, source: str) -> set[str]:
        """The phrases a staff edit added to a document's card (in the edit, not in the shipped card)."""
        edit = self._edits.get(source)
        if edit is None:
            return set()
        shipped = self._shipped.get(source) or Card()
        return set(edit.subjects + edit.everyday) - set(shipped.subjects + shipped.everyday)

    def edited(self, source: str) -> bool:
        return source in self._edits

    def put(self, source: str, card: Card) -> None:
        """Save a staff edit (an empty card removes the edit, restoring the shipped or default card)."""
        if self.edits_path is None:
            raise InvalidCard("card edits are not enabled (no edits file configured)")
        with self._lock:
            edits = dict(self._edits)
            if card.empty:
                edits.pop(source, None)
            else:
                edits[source] = card
            self.edits_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.edits_path.with_suffix(".tmp")
            tmp.write_text(yaml.safe_dump({s: c.as_dict() for s, c in sorted(edits.items())}, allow_unicode=True,
                                          sort_keys=False), encoding="utf-8")
            os.replace(tmp, self.edits_path)
        self.reload(force=True)
