"""Cited answers without an LLM: pick the sentences of the retrieved passages that answer the question.

Refusals come from evidence, not from a similarity threshold: a question asking for an amount, a
rate, a deadline or a contact is answered only when a relevant retrieved sentence states a fact of
that kind (and, for a per-person amount, a standard rather than an aggregate statistic). e5
cosines sit in a narrow band and cannot tell "related" from "answers it".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from bot.answerability import FEATURES as ANSWERABILITY_FEATURES
from bot.answerability import AnswerabilityModel
from bot.answerability import length_feature as answerability_length
from bot.verify import numbers_outside
from ingest.split import ARTICLE_LABEL, ITEM, split_sentences
from knowledge.domain import DomainModel
from knowledge.models import Chunk, Hit
from knowledge.query import (
    EVIDENCE,
    FRAME_WORDS,
    QueryAnalysis,
    analyze,
    question_parts,
    smalltalk,
    statement_context,
)
from knowledge.search import HybridSearcher

log = logging.getLogger(__name__)

# A per-person/per-case standard, as opposed to a total ("累计兑现……近2.4亿元").
_STANDARD = re.compile(r"每[人户月年项件次]|不少于|不低于|不超过|不高于|最高|最低|上限|标准为|按照.{0,12}标准|给予.{0,8}(补贴|奖励)")
_AGGREGATE = re.compile(r"累计|总规模|共计|合计|总额|撬动|总量|共[转化投]|超过?\d|达\d|近\d|约\d")
# "X是多少" / "X有多少" / "X为多少": X names the figure asked (a copula, so a verb phrase is never taken for X)
_ASKED_FIGURE = re.compile(r"([\u4e00-\u9fff]{2,12}?)(?:大概|一般|大约)?(?:是|有|为)(?:多少|几)")
_COUNTED = re.compile(r"(?:多少|几)(?:个|项|家|名|套|所|座|条|次|件|位|批|户|支|种|类)([\u4e00-\u9fff]{2,8})")
MAX_SENTENCE_CHARS = 160  # a clause is widened to its sentence only up to this length (answers stay short)
_NUMBER = re.compile(r"[\d０-９]|[一二两三四五六七八九十百千万亿]+(个|项|家|名|元|万|亿|日|天|年|月|倍|成|套|条)")
_CHANNEL = re.compile(r"热线|咨询|经办机构|服务中心|政务服务平台|窗口")
# Headings inside report paragraphs ("二是加强区域人才政策协同。") say what follows, not a fact.
_LABEL_SENTENCE = re.compile(r"^([一二三四五六七八九十]+是[^，,；;]{0,20}。|[（(][一二三四五六七八九十]+[)）](关于|进一步)[^，,；;]{0,30}。)$")
_KIND_LABEL = {"amount": "金额或标准", "rate": "比例、费率或利率", "duration": "期限", "date": "时间安排（开始或截止日期）",
               "contact": "办理地点或部门", "phone": "联系电话或联系方式", "address": "地址",
               "requirement": "条件或要求", "how_to": "申请或办理方式", "count": "数量", "materials": "申请材料",
               "figure": "数字"}
_FIGURES = {"amount", "rate", "count", "figure"}  # kinds whose subject must be named somewhere in the corpus
_OF_SUBJECT = {"requirement", "how_to", "address", "phone", "materials"}  # must be stated of the question's own subject
_SPECIFIC = ("amount", "rate", "duration", "date", "contact", "phone", "address", "requirement", "how_to", "count",
             "materials", "figure")


HELP_TEXT = ("您好，我是科学城政策助手：回答西部(重庆)科学城人才、融资和政务服务政策的问题，每句回答都引用知识库原文，"
             "并注明文件、条款和版本日期；知识库没有写明的，我会直接说明。可以这样问：“什么是先投后股？”"
             "“失业保险金怎么申领？”“大企业拖欠中小企业货款最晚多久要付？”")
DOMAIN_TEXT = ("这个问题不在本助手的知识范围内：本助手只回答西部(重庆)科学城人才、融资、政务服务政策和相关法规的问题，"
               "不提供其他方面的信息，也不会拿不相关的条文作答。")
HOTLINE_QUERY = "“12345”政务服务热线 政策咨询"
HOTLINE_MARK = "12345"
OFF_TOPIC_TEXT = ("知识库中未找到与此相关的政策内容：本助手只回答科学城人才、融资、政务服务和相关法规的问题，"
                  "不提供政策以外的内容。")


@dataclass
class Citation:
    n: int
    chunk: Chunk
    quote: str
    start: int  # offsets into the document text
    end: int
    superseded_by: str | None = None

    def as_dict(self) -> dict:
        c = self.chunk
        return {"n": self.n, "doc_id": c.doc_id, "title": c.title, "section": c.section, "source": c.source,
                "version_date": c.version_date, "quote": self.quote, "start": self.start, "end": self.end,
                "superseded_by": self.superseded_by}


@dataclass
class Answer:
    text: str
    refused: bool
    citations: list[Citation]
    related: list[Hit] = field(default_factory=list)
    analysis: QueryAnalysis | None = None
    answered_by: str = "extractive"

    def as_dict(self, related: int = 3) -> dict:
        """The /api/ask response body."""
        return {
            "answer": self.text, "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "related": [{"chunk_id": h.chunk.chunk_id, "doc_id": h.chunk.doc_id, "title": h.chunk.title,
                         "section": h.chunk.section, "source": h.chunk.source, "version_date": h.chunk.version_date,
                         "text": h.chunk.text, "start": h.chunk.start, "end": h.chunk.end, "score": h.score,
                         "superseded_by": h.superseded_by} for h in self.related[:related]],
            "answered_by": self.answered_by,
        }


@dataclass
class _Sentence:
    hit_rank: int
    hit: Hit
    start: int  # absolute offsets in the document
    end: int
    text: str
    coverage: float = 0.0
    chunk_coverage: float = 0.0
    relevance: float = 0.0
    score: float = 0.0
    kinds: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    chunk_tokens: set[str] = field(default_factory=set)
    first: bool = False  # opens its passage

    @property
    def lead_in(self) -> bool:
        """"……应当符合下列条件：" counts as evidence but is quoted only in front of its items."""
        return self.text.endswith(("：", ":"))


class Answerer:
    """Answers questions from the knowledge base, offline by default, optionally drafting with an LLM."""

    def __init__(self, searcher: HybridSearcher, llm=None, k: int = 8, max_quotes: int = 3,
                 max_chars: int = 320, domain: DomainModel | None = None,
                 answerability: AnswerabilityModel | None = None) -> None:
        self.searcher = searcher
        self.llm = llm
        self.domain = domain
        self.answerability = answerability
        self.k = k
        self.max_quotes = max_quotes
        self.max_chars = max_chars

    # ---- candidate sentences -----------------------------------------------------------------
    def _weights(self, question: str, topic: str = "") -> dict[str, float]:
        """idf weights of the question's words (glossary terms and an earlier turn's topic count less)."""
        tok = self.searcher.tokenizer
        w: dict[str, float] = {}

        def add(text: str, factor: float) -> None:
            for t in tok.tokenize(text):
                if self.searcher.document_frequency(t) == 0:
                    continue  # a word no passage contains cannot tell passages apart ("路子", a typo)
                w[t] = max(w.get(t, 0.0), factor * self.searcher.idf(t))

        add(question, 1.0)
        for e in self.searcher.glossary.expand(question):
            add(e, 0.6)
        if topic:
            add(topic, 0.5)
        return w

    @staticmethod
    def _coverage(tokens: set[str], weights: dict[str, float]) -> float:
        total = sum(weights.values())
        return sum(wt for t, wt in weights.items() if t in tokens) / total if total else 0.0

    def _sentences(self, hits: list[Hit], a: QueryAnalysis, weights: dict[str, float]) -> list[_Sentence]:
        tok = self.searcher.tokenizer
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        out: list[_Sentence] = []
        for rank, h in enumerate(hits):
            c = h.chunk
            chunk_tokens = set(self.searcher.chunk_tokens(c.chunk_id)) or set(tok.tokenize(c.index_text))
            chunk_cov = self._coverage(chunk_tokens, weights)
            for s, e in split_sentences(c.text, 0, len(c.text)):
                text = c.text[s:e]
                label = ARTICLE_LABEL.match(text)
                if label:
                    s += label.end()
                    text = c.text[s:e]
                if len(text) < 4 or _LABEL_SENTENCE.match(text):
                    continue  # labels of report paragraphs say what follows, not a fact
                toks = set(tok.tokenize(text)) | set(tok.tokenize(c.context))  # both cached by the tokenizer
                sent = _Sentence(rank, h, c.start + s, c.start + e, text, tokens=toks, chunk_tokens=chunk_tokens,
                                 kinds={k for k, p in EVIDENCE.items() if p.search(text)},
                                 first=not any(o.hit is h for o in out))
                self._score(sent, a, weights, top, chunk_cov)
                out.append(sent)
        return out

    def _score(self, s: _Sentence, a: QueryAnalysis, weights: dict[str, float], top: float,
               chunk_cov: float | None = None) -> None:
        s.coverage = self._coverage(s.tokens, weights)
        s.chunk_coverage = self._coverage(s.chunk_tokens, weights) if chunk_cov is None else chunk_cov
        # A sentence is relevant on its own words and on the passage it stands in: "即时办结" answers
        # "多久能办好" only inside the article about opening a business.
        s.relevance = 0.6 * s.coverage + 0.4 * s.chunk_coverage
        wanted = s.kinds & a.kinds
        s.score = s.relevance + 0.25 * (s.hit.score / top) + 0.15 * len(wanted) - 0.02 * s.hit_rank

    def _evidence(self, a: QueryAnalysis, sents: list[_Sentence], min_cov: float,
                  anchors: set[str] | None = None) -> tuple[set[str], set[str]]:
        """(kinds asked for that some relevant sentence states, kinds asked for that none does).

        Conditions, procedures, addresses and phone numbers must be stated of the question's own subject
        (its most specific word or the glossary's official words for it, ``anchors``): a 申请 sentence about
        visas does not say how to apply for an apartment.
        """
        needed = {k for k in a.kinds if k in _SPECIFIC}
        found: set[str] = set()
        counted = self._counted_terms(a.question)
        for s in sents:
            # relevant by itself, or a fact of the asked kind inside a clearly relevant passage
            if s.relevance < min_cov and s.chunk_coverage < 0.45:
                continue
            kinds = needed & s.kinds
            if counted and not counted & s.tokens:
                kinds.discard("count")  # it counts something else ("808家企业" is no number of cinemas)
            if anchors and not anchors & s.tokens:
                kinds -= _OF_SUBJECT
            for k in kinds:
                if k == "amount" and a.per_unit and not self._is_standard(s.text):
                    continue  # a total is not the per-person standard that was asked for
                found.add(k)
        if "count" in needed and "count" not in found and found & {"amount", "rate", "duration"}:
            found.add("count")  # "多少" answered by an amount, a rate or a period
        return found, needed - found

    def _counted_terms(self, question: str) -> set[str]:
        """What a count question counts ("几家电影院" → 电影院…): a number of 企业 does not count cinemas."""
        terms: set[str] = set()
        for m in _COUNTED.finditer(question):
            noun = m.group(1)
            toks = {t for t in self.searcher.tokenizer.tokenize(noun) if len(t) >= 2 and t not in FRAME_WORDS}
            for e in self.searcher.glossary.expand(noun):
                toks |= set(self.searcher.tokenizer.tokenize(e))
            terms |= toks
        return terms

    def _unknown_subject(self, question: str) -> str | None:
        """The thing a figure is asked of, when the knowledge base has no word of it ("房价是多少" → 房价)."""
        for m in _ASKED_FIGURE.finditer(question):
            subject = m.group(1).split("的")[-1]
            toks = [t for t in self.searcher.tokenizer.tokenize(subject) if len(t) >= 2 and t not in FRAME_WORDS]
            if toks and not self.searcher.glossary.expand(subject) \
                    and all(self.searcher.document_frequency(t) == 0 for t in toks):
                return subject
        return None

    @staticmethod
    def _is_standard(text: str) -> bool:
        return bool(_STANDARD.search(text)) and not (_AGGREGATE.search(text) and not re.search(r"每[人户月]", text))

    # ---- composing ---------------------------------------------------------------------------
    def _pick(self, sents: list[_Sentence], a: QueryAnalysis, floor: float = 0.0) -> list[_Sentence]:
        ranked = sorted((s for s in sents if not s.lead_in), key=lambda s: -s.score)
        if not ranked:
            return []
        best = ranked[0]
        multipart = len(re.findall(r"[？?]", a.question)) >= 2 or bool(re.search(r"分别|以及|和.{0,8}(各|分别)", a.question))
        ratio = 0.45 if multipart else 0.6
        picked = [best]
        length = len(best.text)
        tok = self.searcher.tokenizer
        covered = set(tok.tokenize(best.text))
        wanted_kinds = {k for k in a.kinds if k in _SPECIFIC}
        have_kinds = best.kinds & wanted_kinds
        for s in ranked[1:]:
            if len(picked) >= self.max_quotes or s.score < max(ratio * best.score, floor):
                break
            if any(s.hit.chunk.doc_id == p.hit.chunk.doc_id and s.start < p.end and p.start < s.end for p in picked):
                continue
            toks = set(tok.tokenize(s.text))
            new_terms = {t for t in toks - covered if self.searcher.idf(t) > 2.0}
            new_kinds = (s.kinds & wanted_kinds) - have_kinds
            if not new_terms and not new_kinds:
                continue
            if length + len(s.text) > self.max_chars and not new_kinds:
                continue
            picked.append(s)
            length += len(s.text)
            covered |= toks
            have_kinds |= s.kinds & wanted_kinds
        return picked

    def _with_context(self, s: _Sentence) -> tuple[int, int]:
        """Extend an enumerated item （一）… back to its article's lead-in ("……应当符合下列要求：")."""
        c = s.hit.chunk
        if not ITEM.match(s.text):
            return s.start, s.end
        local = s.start - c.start
        lead_end = c.text.rfind("：", 0, local)
        if lead_end < 0 or local - lead_end > 80:
            return s.start, s.end
        spans = [sp for sp in split_sentences(c.text, 0, lead_end + 1)]
        lead_start = spans[-1][0] if spans else 0
        label = ARTICLE_LABEL.match(c.text[lead_start:])
        if label:
            lead_start += label.end()
        return c.start + lead_start, s.end

    @staticmethod
    def _whole_sentence(chunk: Chunk, start: int, end: int) -> tuple[int, int]:
        """A clause ending in ；widened to its whole sentence (…责令限期改正；逾期不改正的，处…罚款。), when short:
        the rule and its consequence are one fact."""
        text, local_s, local_e = chunk.text, start - chunk.start, end - chunk.start
        left = max(text.rfind("。", 0, local_s), text.rfind("\n", 0, local_s)) + 1
        stop = min((i for i in (text.find("。", max(local_e - 1, 0)), text.find("\n", local_e)) if i >= 0),
                   default=len(text) - 1)
        right = stop + 1 if stop < len(text) and text[stop] == "。" else stop
        label = ARTICLE_LABEL.match(text[left:])
        left += label.end() if label else 0
        while left < local_s and text[left].isspace():
            left += 1
        if left <= local_s and right >= local_e and right - left <= MAX_SENTENCE_CHARS:
            return chunk.start + left, chunk.start + right
        return start, end

    def _cite(self, picked: list[_Sentence]) -> list[Citation]:
        cites: list[Citation] = []
        for s in picked:  # best first: the answer leads, the detail follows
            start, end = self._with_context(s)
            c = s.hit.chunk
            if not ITEM.match(s.text):
                start, end = self._whole_sentence(c, start, end)
            if any(x.chunk.doc_id == c.doc_id and start < x.end and x.start < end for x in cites):
                continue  # two clauses of one sentence: quoted once
            quote = c.text[start - c.start:end - c.start]
            cites.append(Citation(len(cites) + 1, c, quote, start, end, s.hit.superseded_by))
        return cites

    def _source_label(self, cite: Citation) -> str:
        c = cite.chunk
        article = re.search(r"第[零一二三四五六七八九十百千]+条", c.section)
        versions = self.searcher.versions_of(c.title)
        dated = f"（{c.version_date}版）" if versions > 1 and c.version_date else ""
        return f"《{c.title}》{dated}{article.group(0) if article else ''}"

    def _compose(self, a: QueryAnalysis, cites: list[Citation]) -> str:
        lines = []
        if a.injection:
            lines.append("（消息中要求改变回答规则的内容已忽略：回答只依据知识库原文，并注明出处。）")
        # one line per source, in the order the best quote of each source ranks
        by_source: dict[str, list[Citation]] = {}
        for c in cites:
            by_source.setdefault(self._source_label(c), []).append(c)
        for label, group in by_source.items():
            lines.append(f"{label}：" + "".join(f"{c.quote}[{c.n}]" for c in group))
        if a.wants_fabrication:
            lines.append("知识库没有提供你要求编写的数字，本助手不会编造数字或标准。")
        return "\n".join(lines)

    def _refusal(self, a: QueryAnalysis, missing: set[str], sents: list[_Sentence], hits: list[Hit],
                 weights: dict[str, float] | None = None) -> Answer:
        weights = weights or {}
        labels = "、".join(_KIND_LABEL[k] for k in _SPECIFIC if k in missing) or "相关内容"
        lines = []
        if a.injection:
            lines.append("（消息中要求改变回答规则的内容已忽略。）")
        lines.append(f"知识库中未找到该问题所问的具体{labels}，无法给出确切答复，也不会推测数字。")
        cites: list[Citation] = []
        # what the documents do say about the topic: it must name the question's most specific word
        anchor = max(weights, key=weights.get) if weights else None
        relevant = sorted((s for s in sents if s.relevance >= 0.3 and (anchor is None or anchor in s.tokens)),
                          key=lambda s: -s.score)
        if relevant:
            cites = self._cite(relevant[:1])
            lines.append(f"知识库中相关的内容：{self._source_label(cites[0])}：{cites[0].quote}[1]")
        channel = next((s for s in sorted(sents, key=lambda s: -s.score) if _CHANNEL.search(s.text)
                        and s.relevance >= 0.15 and all(s.start != c.start for c in cites)), None)
        if channel is None:
            extra = self.searcher.search("政务服务热线 政策咨询", 1)
            if extra:
                channel = next((s for s in self._sentences(extra, a, {"热线": 1.0, "咨询": 1.0})
                                if _CHANNEL.search(s.text)), None)
        if channel is not None:
            c = self._cite([channel])[0]
            c.n = len(cites) + 1
            cites.append(c)
            lines.append(f"可咨询：{self._source_label(c)}：{c.quote}[{c.n}]")
        text = "\n".join(lines)
        if numbers_outside(text, (c.quote + c.chunk.title + c.chunk.version_date for c in cites)):
            text, cites = lines[0 if not a.injection else 1], []
        return Answer(text, True, cites, hits, a)

    # ---- entry points ------------------------------------------------------------------------
    def _retrieve(self, a: QueryAnalysis) -> list[Hit]:
        hits = self.searcher.search(a.retrieval_text, self.k, about_past=a.about_past, own=a.own_text)
        parts = question_parts(a.question)
        if len(parts) >= 2:
            # Part by part: "毕业生创业有什么优惠？能申请贷款扶持吗？" may need two documents.
            seen = {h.chunk.chunk_id for h in hits}
            for part in self._part_queries(a, parts):
                for h in self.searcher.search(part, 4, about_past=a.about_past):
                    if h.chunk.chunk_id not in seen:
                        seen.add(h.chunk.chunk_id)
                        hits.append(h)
        if not a.about_past:
            hits = [h for h in hits if not h.superseded_by] or hits
        return hits

    @staticmethod
    def _part_queries(a: QueryAnalysis, parts: list[str]) -> list[str]:
        """Each part with what it leans on: the statements around it, and for a short part ("法律上有依据吗？")
        the part before it."""
        context = statement_context(a.question)
        out = []
        for i, part in enumerate(parts):
            lean = parts[i - 1] if i > 0 and len(part) < 15 else ""
            out.append(" ".join(x for x in (a.topic, context, lean, part) if x))
        return out

    def _subject(self, a: QueryAnalysis) -> tuple[dict[str, float], set[str]]:
        """The question's subject words (its own words outside the question's frame) and its anchors:
        the most specific of them, or the official words the glossary gives for it (裁员 → 裁减人员)."""
        own = {t: w for t, w in self._weights(a.question).items() if t not in FRAME_WORDS}
        anchor = max(own, key=own.get) if own else None
        if not anchor:
            return own, set()
        return own, {anchor} | {t for e in self.searcher.glossary.expand(anchor) for t in self.searcher.tokenizer.tokenize(e)}

    def sentence_features(self, a: QueryAnalysis, sents: list[_Sentence], hits: list[Hit]) -> np.ndarray:
        """One row per candidate sentence, in the order of ``bot.answerability.FEATURES``."""
        own, anchors = self._subject(a)
        needed = {k for k in a.kinds if k in _SPECIFIC}
        counted = self._counted_terms(a.question) if "count" in needed else set()
        unknown = float(bool(a.kinds & _FIGURES) and self._unknown_subject(a.question) is not None)
        scores = [h.score for h in hits] or [0.0]
        lo, hi = min(scores), max(scores)
        rows = []
        for s in sents:
            stated = bool(s.kinds & needed) or ("count" in needed and bool(s.kinds & {"amount", "rate", "duration"}))
            rows.append([
                s.coverage, s.chunk_coverage, float(bool(anchors & s.tokens)), self._coverage(s.tokens, own),
                1.0 / (s.hit_rank + 1), (s.hit.score - lo) / (hi - lo) if hi > lo else 1.0,
                float(stated), float(bool(needed) and not stated),
                float(a.per_unit and "amount" in a.kinds and not self._is_standard(s.text)),
                float(bool(counted) and not counted & s.tokens), unknown,
                float(bool(_NUMBER.search(s.text))), answerability_length(len(s.text)), float(s.lead_in),
                float(s.first),
            ])
        return np.array(rows, dtype=np.float64).reshape(len(sents), len(ANSWERABILITY_FEATURES))

    def candidates(self, question: str, history: list[dict] | None = None):
        """The analysis, retrieved passages, question weights and candidate sentences with their features."""
        a = analyze(question, history or [])
        hits = self._retrieve(a)
        weights = self._weights(a.question, a.topic)
        sents = self._sentences(hits, a, weights)
        return a, hits, weights, sents, self.sentence_features(a, sents, hits)

    def answer(self, question: str, history: list[dict] | None = None) -> Answer:
        """Answer one question in its conversation; every [n] in the text is a verbatim citation."""
        talk = smalltalk(question)
        if talk:
            return Answer(HELP_TEXT if talk != "off_topic" else OFF_TOPIC_TEXT, talk == "off_topic", [], [],
                          analyze(question, history or []), answered_by="help")
        a = analyze(question, history or [])
        if self.domain is not None and self.domain.out_of_domain(*self.searcher.domain_signals(a.question)):
            return self._domain_reply(a)
        if self.answerability is not None:
            return self._answer_by_model(question, history)
        hits = self._retrieve(a)
        weights = self._weights(a.question, a.topic)
        sents = self._sentences(hits, a, weights)
        best = max((s.relevance for s in sents), default=0.0)
        if not sents or best < 0.25:
            return self._refusal(a, set(a.kinds) & set(_SPECIFIC) or {"_"}, sents, hits, weights)
        _, anchors = self._subject(a)
        _, missing = self._evidence(a, sents, min_cov=0.3, anchors=anchors or None)
        if a.kinds & {"amount", "rate", "count"} and self._unknown_subject(a.question):
            missing = missing | (a.kinds & {"amount", "rate", "count"})  # no passage names what is counted
        if missing:
            return self._refusal(a, missing, sents, hits, weights)
        picked = self._pick(sents, a)
        picked = self._pick_parts(a, sents, picked, hits)
        return self._finish(a, picked, hits)

    def _answer_by_model(self, question: str, history: list[dict] | None) -> Answer:
        """Quote the sentences most likely to answer; refuse when even the best is below the threshold."""
        model = self.answerability
        a, hits, weights, sents, x = self.candidates(question, history)
        p = model.probabilities(x)
        for s, pi in zip(sents, p, strict=True):
            s.score = float(pi)
        needed = {k for k in a.kinds if k in _SPECIFIC}
        if not sents or p.max() < model.threshold:
            return self._refusal(a, needed or {"_"}, sents, hits, weights)
        picked = self._pick(sents, a, floor=model.threshold)
        picked = self._pick_parts(a, sents, picked, hits)
        stated = self._stated(a, picked)
        unstated = needed - stated
        if not self._counted_terms(a.question) and stated & {"amount", "rate", "duration"}:
            unstated -= {"count"}  # a bare 多少 answered by an amount, a rate or a period
        if needed and unstated == needed:
            # the passages are about the subject but none states what was asked: nothing of it to quote
            return self._refusal(a, needed, sents, hits, weights)
        ans = self._finish(a, picked, hits)
        if not ans.refused and unstated:
            # a partial answer: what the documents say, and plainly what they do not
            labels = "、".join(_KIND_LABEL[k] for k in _SPECIFIC if k in unstated)
            ans.text += f"\n知识库未列明所问的具体{labels}。"
        return ans

    def _stated(self, a: QueryAnalysis, picked: list[_Sentence]) -> set[str]:
        """The kinds of fact asked that the quoted sentences state of the question's own subject: a count
        names what it counts, a figure asked of something no document names is stated by none."""
        if a.kinds & _FIGURES and self._unknown_subject(a.question):
            return set()
        counted = self._counted_terms(a.question)
        _, anchors = self._subject(a)
        stated: set[str] = set()
        for s in picked:
            kinds = set(s.kinds)
            if counted and not counted & s.tokens:
                kinds.discard("count")
            if anchors and not anchors & s.tokens:
                kinds -= _OF_SUBJECT
            stated |= kinds
        return stated

    def _finish(self, a: QueryAnalysis, picked: list[_Sentence], hits: list[Hit]) -> Answer:
        cites = self._cite(picked)
        text = self._compose(a, cites)
        if self.llm is not None:
            draft = self._llm_answer(a, hits)
            if draft is not None:
                return draft
        loose = numbers_outside(text, (c.quote + c.chunk.title + c.chunk.version_date for c in cites))
        if loose:  # cannot happen for quoted text; kept as the last gate
            log.error("extractive answer had uncited numbers %s; refusing", loose)
            return self._refusal(a, {"_"}, [], hits)
        return Answer(text, False, cites, hits, a)

    def _domain_reply(self, a: QueryAnalysis) -> Answer:
        """What the assistant answers, and where else to ask: the 12345 hotline, quoted with its source."""
        lines = [DOMAIN_TEXT]
        cites: list[Citation] = []
        for h in self.searcher.search(HOTLINE_QUERY, 5, about_past=False):
            c = h.chunk
            span = next(((s, e) for s, e in split_sentences(c.text, 0, len(c.text)) if HOTLINE_MARK in c.text[s:e]),
                        None)
            if span:
                s, e = span
                label = ARTICLE_LABEL.match(c.text[s:e])
                s += label.end() if label else 0
                cites = [Citation(1, c, c.text[s:e], c.start + s, c.start + e, h.superseded_by)]
                lines.append(f"其他问题可咨询政务服务热线：{self._source_label(cites[0])}：{cites[0].quote}[1]")
                break
        return Answer("\n".join(lines), True, cites, [], a, answered_by="domain")

    def _pick_parts(self, a: QueryAnalysis, sents: list[_Sentence], picked: list[_Sentence],
                    hits: list[Hit]) -> list[_Sentence]:
        """Make sure each part of a multi-part question has its best sentence among the quotes."""
        parts = question_parts(a.question)
        if len(parts) < 2:
            return picked
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        out = list(picked)
        queries = self._part_queries(a, parts)
        for i, part in enumerate(parts):
            w = self._weights(part, queries[i])
            # the words only this part says ("贷款", "扶持"): its quote must contain one of them
            others = set()
            for j, other in enumerate(parts):
                if j != i:
                    others |= set(self.searcher.tokenizer.tokenize(other))
            own = {t for t in self.searcher.tokenizer.tokenize(part) if t not in others and t not in FRAME_WORDS
                   and self.searcher.document_frequency(t) > 0}
            for e in self.searcher.glossary.expand(part):
                own |= set(self.searcher.tokenizer.tokenize(e)) - others
            pa = analyze(part)
            scored = []
            for s in sents:
                if s.lead_in:
                    continue
                probe = _Sentence(s.hit_rank, s.hit, s.start, s.end, s.text, kinds=s.kinds, tokens=s.tokens,
                                  chunk_tokens=s.chunk_tokens)
                self._score(probe, pa, w, top)
                scored.append((probe.score, s))
            scored.sort(key=lambda x: -x[0])

            def says(sent: _Sentence) -> set[str]:  # the sentence's own words, not its chapter's
                return set(self.searcher.tokenizer.tokenize(sent.text))

            if own and any(own & says(p) for p in out):
                continue  # this part is already answered by a picked quote
            best = next((s for _, s in scored if not own or own & says(s)), None)
            if best is None:  # no sentence repeats the part's words: its best quote from a document not yet cited
                cited = {p.hit.chunk.doc_id for p in out}
                best = next((s for _, s in scored if s.hit.chunk.doc_id not in cited), None)
            if best is None or any(p is best for p in out):
                continue
            if any(p.hit.chunk.doc_id == best.hit.chunk.doc_id and best.start < p.end and p.start < best.end
                   for p in out):
                continue
            if len(out) >= self.max_quotes + 1:
                out = out[:-1]
            out.append(best)
        return out

    def _llm_answer(self, a: QueryAnalysis, hits: list[Hit]) -> Answer | None:
        from bot.llm import draft_answer

        return draft_answer(self.llm, a, hits[:5])

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces as it is produced, then the final ``Answer``."""
        ans = self.answer(question, history)
        for line in ans.text.splitlines(keepends=True):
            for i in range(0, len(line), 24):
                yield line[i:i + 24]
        yield ans


