"""Dated versions of one document: which stored documents are superseded by a newer one."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.models import DocumentInfo


@dataclass
class VersionMap:
    """``superseded_by[old_doc_id] = newest_doc_id`` for every document with a newer version stored."""

    superseded_by: dict[str, str] = field(default_factory=dict)
    versions: dict[str, list[DocumentInfo]] = field(default_factory=dict)  # title -> oldest first


def build_version_map(docs: list[DocumentInfo]) -> VersionMap:
    """Group documents by title; within a group the latest ``version_date`` is in force.

    Documents without a date are never treated as superseded: without one we cannot tell.
    """
    by_title: dict[str, list[DocumentInfo]] = {}
    for d in docs:
        by_title.setdefault(d.title, []).append(d)
    vm = VersionMap()
    for title, group in by_title.items():
        dated = sorted((d for d in group if d.version_date), key=lambda d: d.version_date)
        if len(dated) < 2:
            continue
        vm.versions[title] = dated
        newest = dated[-1]
        for d in dated[:-1]:
            if d.version_date < newest.version_date:
                vm.superseded_by[d.doc_id] = newest.doc_id
    return vm
