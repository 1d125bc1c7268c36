"""The programme catalogue: a curated data file whose every field is a verbatim quote (or 原文未列明).

Quotes are resolved against the stored documents when the catalogue loads; an entry whose quote no
longer appears in its document is left out and reported, never served with a stale or paraphrased quote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.models import Chunk, Document, Passage

log = logging.getLogger(__name__)

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "programmes.yaml"
NOT_STATED = "原文未列明"
FIELDS = ("who", "gives", "conditions", "how_to_apply", "amounts")
MIN_NAME = 3  # characters: shorter names (一窗) would match ordinary words


Quote = Passage  # a catalogue field's verbatim quote, located in its document


@dataclass
class Programme:
    id: str
    name: str
    category: str
    audience: list[str]
    needs: list[str]
    fields: dict[str, list[Quote]]  # an empty list means 原文未列明
    quotes: list[Quote] = field(default_factory=list)  # distinct quotes, numbered 1.. in order
    aliases: list[str] = field(default_factory=list)  # the short names people use (金凤凰, 先投后股)

    @property
    def names(self) -> set[str]:
        """The programme's name without its parenthesised gloss and quote marks, each quoted part of it
        (成果转化“先投后股” → 先投后股) and its aliases."""
        base = re.sub(r"（[^）]*）|\([^)]*\)", "", self.name)
        names = {base.replace("“", "").replace("”", "").strip(), *re.findall(r"“([^”]+)”", base), *self.aliases}
        return {n for n in names if len(n) >= MIN_NAME}


@dataclass
class Catalogue:
    programmes: list[Programme]
    problems: list[str]
    channel: Quote | None = None  # where to ask when a programme names no channel

    def get(self, programme_id: str) -> Programme | None:
        return next((p for p in self.programmes if p.id == programme_id), None)

    def names_a_programme(self, text: str) -> bool:
        """Does the text name one of the catalogue's programmes? (The catalogue is the product's own scope.)"""
        return any(n in text for p in self.programmes for n in p.names)


def _section(chunks: list[Chunk], doc_id: str, start: int) -> str:
    for c in chunks:
        if c.doc_id == doc_id and c.start <= start < c.end:
            return c.section
    return ""


def load_catalogue(documents: dict[str, Document], chunks: list[Chunk],
                   path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read the catalogue and locate every quote.

    Args:
        documents: stored documents by source file name.
        chunks: stored chunks, to name the section a quote stands in.

    Returns:
        The programmes whose quotes were all found, and a list of problems for those left out.
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    programmes, problems = [], []

    def locate(item: dict) -> Quote | None:
        doc = documents.get(item.get("doc", ""))
        start = doc.text.find(item.get("quote", "")) if doc and item.get("quote") else -1
        if doc is None or start < 0:
            return None
        return Quote(doc_id=doc.doc_id, title=doc.title, section=_section(chunks, doc.doc_id, start),
                     source=doc.source, version_date=doc.version_date, text=item["quote"], start=start,
                     end=start + len(item["quote"]))

    channel = locate(raw["channel"]) if raw.get("channel") else None
    if raw.get("channel") and channel is None:
        problems.append("channel: quote not found in the stored documents")
    for entry in raw.get("programmes", []):
        pid = entry.get("id", "?")
        fields: dict[str, list[Quote]] = {}
        missing = []
        for name in FIELDS:
            value = entry.get("fields", {}).get(name, NOT_STATED)
            items = value if isinstance(value, list) else [value]
            fields[name] = []
            for item in items:
                if item == NOT_STATED or item is None:
                    continue
                quote = locate(item)
                if quote is None:
                    missing.append(f"{name}: {item.get('doc')}: {str(item.get('quote'))[:30]}…")
                    continue
                fields[name].append(quote)
        if missing:
            problems.append(f"{pid}: quote not found in the stored documents: " + "; ".join(missing))
            log.error("catalogue entry %s left out: %s", pid, missing)
            continue
        distinct: list[Quote] = []
        for qs in fields.values():
            for q in qs:
                if q not in distinct:
                    distinct.append(q)
        programmes.append(Programme(pid, entry["name"], entry["category"], list(entry.get("audience", [])),
                                    list(entry.get("needs", [])), fields, distinct,
                                    [str(a) for a in entry.get("aliases", [])]))
    return Catalogue(programmes, problems, channel)


def referenced_sources(path: Path = CATALOGUE_PATH) -> set[str]:
    """File names the catalogue quotes (so only those documents need loading)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out = {raw["channel"]["doc"]} if raw.get("channel") else set()
    for entry in raw.get("programmes", []):
        for value in (entry.get("fields") or {}).values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and item.get("doc"):
                    out.add(item["doc"])
    return out
