"""The conversation around a message: is it a follow-up, what does 第二个 or 那…呢 refer to.

Works without an LLM and feeds the LLM path alike: the result is one ``QueryAnalysis`` whose ``topic``
is the earlier question the message continues and whose question has ordinals replaced by the item
they name. A message that names its own subject is read on its own words first (the search weighs
the current message above the topic; see ``HybridSearcher.plan``).
"""

from __future__ import annotations

import re

from knowledge.query import QueryAnalysis, analyze, focus_question

_ELLIPTICAL_START = re.compile(r"^(那|那么|这|这个|这些|它|它们|他们|还有|其中|那如果|那要是|要是|如果是|换成)")
# The user says the subject changes ("换个话题", "另外问一下"): the earlier topic no longer applies.
_SWITCH = re.compile(r"换个话题|换个问题|另外(问|想问|再问|还想问|咨询)|另外[，,]|另一个问题|再问(个|一个)别的|问点别的|顺便问")
_POINTING = re.compile(r"(这个|那个|它|该|上述|这项|这种|这么做|这样|他们|她们|第[一二三四五六七八九十\d](个|项|条|点|种|类))")
SHORT_MESSAGE = 12  # characters: a message this short leans on the turn before it
_ORDINAL = re.compile(r"第([一二三四五六七八九十]|[1-9])(个|项|条|点|种|类)")
_CN_ORDINAL = "一二三四五六七八九十"
_ITEM_EDGES = " ，,“”\"'[]：:等"
_LIST_SPLIT = re.compile(r"[、；;]|(?:^|\s)\d+[.、)）]|[（(][一二三四五六七八九十]+[)）]")


def is_followup(question: str, history: list[dict]) -> bool:
    """Does the message lean on an earlier turn (ellipsis, a pronoun, an ordinal, or very short)?"""
    if not any(m.get("role") == "user" for m in history):
        return False
    q = question.strip()
    if _SWITCH.search(q):
        return False
    return bool(_ELLIPTICAL_START.search(q)) or len(q) <= SHORT_MESSAGE or q.endswith(("呢", "呢？", "呢?")) \
        or bool(_POINTING.search(q))


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
    """"第二个是什么意思？" → the second item of the list the assistant just gave, in place of the ordinal."""
    m = _ORDINAL.search(question)
    answers = [h["content"] for h in history if h.get("role") == "assistant"]
    if not m or not answers:
        return question
    n = int(m.group(1)) if m.group(1).isdigit() else _CN_ORDINAL.index(m.group(1)) + 1
    items = listed_items(answers[-1])
    if not 1 <= n <= len(items):
        return question
    return question[:m.start()] + items[n - 1] + question[m.end():]


def understand(message: str, history: list[dict] | None = None) -> QueryAnalysis:
    """One message in its conversation: ordinals resolved, the earlier topic attached to a follow-up."""
    history = history or []
    focused = focus_question(message)[0]
    topic = ""
    if is_followup(focused, history):
        prior = [m["content"] for m in history if m.get("role") == "user"]
        topic = focus_question(prior[-1])[0] if prior else ""
    a = analyze(resolve_ordinal(message, history), topic=topic)
    a.original = message
    return a
