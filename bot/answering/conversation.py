"""The conversation around a message: what it continues, and what 第二个 refers to.

Works without an LLM and feeds the LLM path alike: the result is one ``QueryAnalysis`` whose ``topic``
is the earlier questions the message continues and whose question has ordinals replaced by the item
they name. Every message after an earlier question is read with it, unless the user says the subject
changes: guessing follow-ups from their words (那…, 这个, short messages) missed 30% of the tune split's
follow-ups (后来改过没有？), and retrieval on them improved when the topic was always attached, because
the current message is weighed above the topic anyway (``HybridSearcher.plan``; a message naming a new
subject is read on its own words first). docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import re

from knowledge.query import QueryAnalysis, analyze, focus_question

# The user says the subject changes ("换个话题", "另外问一下"): the earlier topic no longer applies.
_SWITCH = re.compile(r"换个话题|换个问题|另外(问|想问|再问|还想问|咨询)|另外[，,]|另一个问题|再问(个|一个)别的|问点别的|顺便问")
TOPIC_TURNS = 2  # the earlier user turns a message is read with: a third turn often continues the first one
_MEASURE = r"(个|项|条|点|种|类|样)"
_ORDINAL = re.compile(rf"(倒数)?第([一二三四五六七八九十]|[1-9]){_MEASURE}")
# 最后那个 / 最后一项 / 最后说的那种: the last item listed
_LAST = re.compile(rf"最后(说的|提到的|讲的|列的)?(那|这|一)?{_MEASURE}")
_CN_ORDINAL = "一二三四五六七八九十"
_ITEM_EDGES = " ，,“”\"'[]：:等"
_LIST_SPLIT = re.compile(r"[、；;]|(?:^|\s)\d+[.、)）]|[（(][一二三四五六七八九十]+[)）]")


def is_followup(question: str, history: list[dict]) -> bool:
    """Does the message continue an earlier question (there is one, and the user does not change subject)?"""
    return any(m.get("role") == "user" for m in history) and not _SWITCH.search(question.strip())


def listed_items(text: str) -> list[str]:
    """The items of the longest enumeration in a text ("包括A、B和C" → [A, B, C])."""
    best: list[str] = []
    for sentence in re.split(r"[。！？!?\n]", text):
        body = re.split(r"[：:]|包括|包含", sentence, maxsplit=1)[-1]
        parts = [p for p in _LIST_SPLIT.split(body) if p and p.strip(_ITEM_EDGES)]
        if len(parts) >= 2 and re.search(r"(和|及|以及|与)", parts[-1]):
            *head, last = parts
            parts = head + [x for x in re.split(r"和|及|以及|与", last, maxsplit=1) if x.strip()]
        if len(parts) > len(best):
            best = [re.sub(r"\[\d+\]", "", p).strip(_ITEM_EDGES) for p in parts]
    return best if len(best) >= 2 else []


def resolve_ordinal(question: str, history: list[dict]) -> str:
    """"第二个是什么意思？" → the second item of the list the assistant just gave, in place of the ordinal
    (倒数第二个 and 最后那个 count from the end)."""
    answers = [h["content"] for h in history if h.get("role") == "assistant"]
    m = _ORDINAL.search(question) or _LAST.search(question)
    if not m or not answers:
        return question
    items = listed_items(answers[-1])
    if m.re is _LAST:
        n = len(items)
    else:
        n = int(m.group(2)) if m.group(2).isdigit() else _CN_ORDINAL.index(m.group(2)) + 1
        n = len(items) + 1 - n if m.group(1) else n  # 倒数第二个 counts from the end
    if not 1 <= n <= len(items):
        return question
    return question[:m.start()] + items[n - 1] + question[m.end():]


def understand(message: str, history: list[dict] | None = None) -> QueryAnalysis:
    """One message in its conversation: ordinals resolved, the earlier topic attached to a follow-up."""
    history = history or []
    focused = focus_question(message)[0]
    topic = ""
    if is_followup(focused, history):
        prior = [m["content"] for m in history if m.get("role") == "user"][-TOPIC_TURNS:]
        topic = " ".join(focus_question(p)[0] for p in prior)
    a = analyze(resolve_ordinal(message, history), topic=topic)
    a.original = message
    return a
