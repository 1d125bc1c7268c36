"""Composing an answer from scored candidate sentences: which to quote, how to cite, how to refuse.

An answer leads with the sentence most likely to answer; further sentences are quoted only when they
add words or an asked-for kind of fact the first lacks. Every quote is a verbatim span of its document.
"""

from __future__ import annotations

import re

from bot.answering.answerability import SPECIFIC, needed_kinds, satisfied
from bot.answering.types import Answer, Candidate, Citation
from bot.verify import numbers_outside
from knowledge.models import Chunk, Hit
from knowledge.query import EVIDENCE, QueryAnalysis
from knowledge.search import HybridSearcher
from knowledge.text import ARTICLE_LABEL, ARTICLE_NUMBER, ITEM, split_sentences

HELP_TEXT = ("您好，我是科学城政策助手：回答西部(重庆)科学城人才、融资和政务服务政策的问题，每句回答都引用知识库原文，"
             "并注明文件、条款和版本日期；知识库没有写明的，我会直接说明。可以这样问：“科学城产业发展基金撬动了多少制造业贷款？”"
             "“失业保险金怎么申领？”“大企业拖欠中小企业货款最晚多久要付？”")
OFF_TOPIC_TEXT = ("知识库中未找到与此相关的政策内容：本助手只回答科学城人才、融资、政务服务和相关法规的问题，"
                  "不提供政策以外的内容。")
DOMAIN_TEXT = ("这个问题不在本助手的知识范围内：本助手只回答西部(重庆)科学城人才、融资、政务服务政策和相关法规的问题，"
               "不提供其他方面的信息，也不会拿不相关的条文作答。")
INJECTION_NOTE = "（消息中要求改变回答规则的内容已忽略：回答只依据知识库原文，并注明出处。）"
FABRICATION_NOTE = "知识库没有提供你要求编写的数字，本助手不会编造数字或标准。"
HOTLINE_QUERY = "“12345”政务服务热线 政策咨询"
HOTLINE_MARK = "12345"
KIND_LABEL = {"amount": "金额或标准", "rate": "比例、费率或利率", "duration": "期限", "date": "时间安排（开始或截止日期）",
              "contact": "办理地点或部门", "phone": "联系方式（电话、邮箱或网址）", "address": "地址",
              "requirement": "条件或要求", "how_to": "申请或办理方式", "count": "数量", "materials": "申请材料",
              "figure": "数字"}
# Kinds whose answering span is a figure worth marking in bold (the rest are whole sentences).
HIGHLIGHTED = {"amount", "rate", "duration", "date", "count", "figure", "phone"}
_DIGIT = re.compile(r"[\d０-９零一二两三四五六七八九十百千万亿]")
_CHANNEL = re.compile(r"热线|咨询|经办机构|服务中心|政务服务平台|窗口")

MAX_SENTENCE_CHARS = 160  # a clause is widened to its sentence only up to this length (answers stay short)
MAX_LEAD_GAP = 80  # an item is quoted with its article's lead-in only when the lead-in is this close
# A quoted lead-in takes the items after it up to this many characters (tune: 120, 200 and 300 alike).
MAX_LIST_CHARS = 200
RELATED_COVERAGE = 0.3  # a refusal shows a "related" sentence only if it holds this share of the question's words
NEW_TERM_IDF = 2.0  # a further quote must add a word at least this specific
# A further quote must score at least this share of the best quote (lower for multi-part questions, whose
# parts are answered by different sentences). Chosen on tune out of fold with the quote cap below: see
# ``Composer``.
FOLLOW_RATIO, FOLLOW_RATIO_MULTI = 0.45, 0.3


class Composer:
    # The share of the best quote's probability, not a count, decides how many sentences are quoted: a list
    # of short items answers with several. Out of fold on tune (2,529 in-domain items), 4 quotes at ratio
    # 0.3 stated 0.827 of the key points at a median of 212 characters; 10 at 0.45 (0.3 for multi-part)
    # state 0.851 at 216 — more quotes at a stricter ratio say more in the same length (docs/benchmarks.md).
    def __init__(self, searcher: HybridSearcher, max_quotes: int = 10, max_chars: int = 500,
                 follow_ratio: tuple[float, float] = (FOLLOW_RATIO, FOLLOW_RATIO_MULTI)) -> None:
        self.searcher = searcher
        self.max_quotes = max_quotes
        self.max_chars = max_chars
        self.follow_ratio = follow_ratio  # (one-part, multi-part) questions; ``bot replay`` sweeps it

    # ---- choosing quotes -----------------------------------------------------------------------
    def pick(self, cands: list[Candidate], a: QueryAnalysis) -> list[Candidate]:
        """The best sentence, then others that add something asked for (never merely a neighbour)."""
        wanted = needed_kinds(a)
        # a lead-in is quoted only when it states the fact asked itself (每三个月至少开展一次活动：) or its items
        # follow it in the passage (quoted with it: ``_with_items``)
        ranked = sorted((s for s in cands if not s.lead_in or satisfied(s.kinds, wanted)
                         or self._with_items(s.hit.chunk, s.end) > s.end), key=lambda s: -s.score)
        if not ranked:
            return []
        best = ranked[0]
        multipart = len(re.findall(r"[？?]", a.question)) >= 2 or bool(re.search(r"分别|以及|和.{0,8}(各|分别)", a.question))
        ratio = self.follow_ratio[1] if multipart else self.follow_ratio[0]
        picked = [best]
        length = len(best.text)
        tok = self.searcher.tokenizer
        covered = set(tok.tokenize(best.text))
        have = satisfied(best.kinds, wanted)
        for s in ranked[1:]:
            if len(picked) >= self.max_quotes or s.score < ratio * best.score:
                break
            if any(s.hit.chunk.doc_id == p.hit.chunk.doc_id and s.start < p.end and p.start < s.end for p in picked):
                continue
            toks = set(tok.tokenize(s.text))
            new_terms = {t for t in toks - covered if self.searcher.idf(t) > NEW_TERM_IDF}
            new_kinds = satisfied(s.kinds, wanted) - have
            if not new_terms and not new_kinds:
                continue
            if length + len(s.text) > self.max_chars and not new_kinds:
                continue
            picked.append(s)
            length += len(s.text)
            covered |= toks
            have |= satisfied(s.kinds, wanted)
        return picked

    # ---- citing --------------------------------------------------------------------------------
    @staticmethod
    def _with_lead_in(s: Candidate) -> tuple[int, int]:
        """Extend an enumerated item （一）… back to its article's lead-in ("……应当符合下列要求：")."""
        c = s.hit.chunk
        if not ITEM.match(s.text):
            return s.start, s.end
        local = s.start - c.start
        lead_end = c.text.rfind("：", 0, local)
        if lead_end < 0 or local - lead_end > MAX_LEAD_GAP:
            return s.start, s.end
        spans = split_sentences(c.text, 0, lead_end + 1)
        lead_start = spans[-1][0] if spans else 0
        label = ARTICLE_LABEL.match(c.text[lead_start:])
        if label:
            lead_start += label.end()
        return c.start + lead_start, s.end

    @staticmethod
    def _with_items(chunk: Chunk, end: int) -> int:
        """A quote ending in a lead-in ("具备下列条件的失业人员，可以领取失业保险金：") extended over the items that
        follow it in the passage, up to MAX_LIST_CHARS: a lead-in alone says there are conditions, not which."""
        local = end - chunk.start
        if not chunk.text[:local].rstrip().endswith(("：", ":")):
            return end
        stop = local
        for s, e in split_sentences(chunk.text, local, len(chunk.text)):
            if not ITEM.match(chunk.text[s:e].strip()) or e - local > MAX_LIST_CHARS:
                break
            stop = e
        return chunk.start + stop

    @staticmethod
    def _whole_sentence(chunk: Chunk, start: int, end: int) -> tuple[int, int]:
        """A clause ending in ；widened to its whole sentence (…责令限期改正；逾期不改正的，处…罚款。) when short:
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

    def cite(self, picked: list[Candidate], a: QueryAnalysis | None = None) -> list[Citation]:
        """Verbatim citations, the best quote's source first; the spans stating an asked-for kind of fact are
        highlighted."""
        wanted = needed_kinds(a) if a is not None else set()
        cites: list[Citation] = []
        for s in picked:
            start, end = self._with_lead_in(s)
            c = s.hit.chunk
            if not ITEM.match(s.text):
                start, end = self._whole_sentence(c, start, end)
            end = self._with_items(c, end)
            # items quoted before their lead-in are now inside it
            cites = [x for x in cites if not (x.chunk.doc_id == c.doc_id and start <= x.start and x.end <= end)]
            if any(x.chunk.doc_id == c.doc_id and start < x.end and x.start < end for x in cites):
                continue  # two clauses of one sentence: quoted once
            quote = c.text[start - c.start:end - c.start]
            marks = self._asked_spans(quote, start, wanted, a)
            cites.append(Citation(len(cites) + 1, c, quote, start, end, s.hit.superseded_by, marks))
        return self._in_reading_order(self._without_list_holes(cites, wanted, a))

    def _without_list_holes(self, cites: list[Citation], wanted: set[str], a: QueryAnalysis | None) -> list[Citation]:
        """Two quoted items of one list with only items (or nothing) between them (（一）…（三）… quoted, （二） not)
        become one quote of the whole run: a list read with a hole looks complete and misleads (a period table
        missing a row reads as if that row did not exist). Only when the hole is short (MAX_LIST_CHARS). The
        merged quote keeps the place of its best-ranked part."""
        group = list(range(len(cites)))  # each cite's merged quote, by the index of the quote's first part
        merged: dict[int, Citation] = {}
        prev: int | None = None
        for i in sorted(range(len(cites)), key=lambda i: (cites[i].chunk.chunk_id, cites[i].start)):
            x = cites[i]
            if prev is not None and self._hole_between(merged[group[prev]], x):
                g = group[i] = group[prev]
                y, c = merged[g], x.chunk
                quote = c.text[y.start - c.start:x.end - c.start]
                merged[g] = Citation(y.n, c, quote, y.start, x.end, y.superseded_by,
                                     self._asked_spans(quote, y.start, wanted, a))
            else:
                merged[i] = x
            prev = i
        firsts = sorted({min(j for j in range(len(cites)) if group[j] == g) for g in merged})
        return [merged[group[j]] for j in firsts]

    @staticmethod
    def _hole_between(y: Citation, x: Citation) -> bool:
        """``x`` is an item following ``y``'s last item in one passage, with only items between them."""
        c = x.chunk
        if y.chunk.chunk_id != c.chunk_id or not ITEM.match(x.quote) or x.start - y.end > MAX_LIST_CHARS:
            return False
        if not ITEM.match(y.quote[y.quote.rfind("\n") + 1:].lstrip()):  # a lead-in quoted with items ends with one
            return False
        return all(ITEM.match(c.text[g0:g1]) for g0, g1 in split_sentences(c.text, y.end - c.start, x.start - c.start))

    def _asked_spans(self, quote: str, start: int, wanted: set[str], a: QueryAnalysis | None) -> list[tuple[int, int]]:
        """The spans of the quote stating an asked kind of fact; when there are several (a fund's 300亿元 scale,
        430亿元 subscribed, 130亿元 of loans), those whose clause names the most of the question's words (撬动……
        制造业贷款约130亿元 for a question about loans), or all of them when no clause names any."""
        spans = sorted({(m.start(), m.end()) for k in wanted & HIGHLIGHTED
                        for m in EVIDENCE[k].finditer(quote) if _DIGIT.search(m.group(0))})
        if len(spans) > 1 and a is not None:
            asked = set(self.searcher.tokenizer.tokenize(a.question))
            shared = [len(asked & set(self.searcher.tokenizer.tokenize(_clause_before(quote, s)))) for s, _ in spans]
            if max(shared) > 0:
                spans = [span for span, n in zip(spans, shared, strict=True) if n == max(shared)]
        return [(start + s, start + e) for s, e in spans]

    def _in_reading_order(self, cites: list[Citation]) -> list[Citation]:
        """Sources in the order their best quote ranks; one source's quotes in the document's order (a list's
        （一） before its （三）, a rule before its exception), numbered as they will be read."""
        rank: dict[str, int] = {}
        for c in cites:
            rank.setdefault(self.source_label(c), len(rank))
        ordered = sorted(cites, key=lambda c: (rank[self.source_label(c)], c.start))
        for n, c in enumerate(ordered, 1):
            c.n = n
        return ordered

    def source_label(self, cite: Citation) -> str:
        c = cite.chunk
        article = ARTICLE_NUMBER.search(c.section)
        dated = f"（{c.version_date}版）" if self.searcher.versions_of(c.title) > 1 and c.version_date else ""
        return f"《{c.title}》{dated}{article.group(0) if article else ''}"

    def compose(self, a: QueryAnalysis, cites: list[Citation]) -> str:
        lines = [INJECTION_NOTE] if a.injection else []
        # one line per source, in the order the best quote of each source ranks
        by_source: dict[str, list[Citation]] = {}
        for c in cites:
            by_source.setdefault(self.source_label(c), []).append(c)
        for label, group in by_source.items():
            lines.append(f"{label}：" + "".join(f"{c.quote}[{c.n}]" for c in group))
        if a.wants_fabrication:
            lines.append(FABRICATION_NOTE)
        return "\n".join(lines)

    # ---- not answering -------------------------------------------------------------------------
    def _hotline(self) -> Citation | None:
        """The 12345 hotline sentence, quoted from the document that sets it up."""
        for h in self.searcher.search(HOTLINE_QUERY, 5, about_past=False):
            c = h.chunk
            for s, e in split_sentences(c.text, 0, len(c.text)):
                if HOTLINE_MARK in c.text[s:e]:
                    label = ARTICLE_LABEL.match(c.text[s:e])
                    s += label.end() if label else 0
                    return Citation(1, c, c.text[s:e], c.start + s, c.start + e, h.superseded_by)
        return None

    def refusal(self, a: QueryAnalysis, missing: set[str], cands: list[Candidate], hits: list[Hit],
                anchor: str | None) -> Answer:
        """Say what the knowledge base does not state, what it does say on the subject, and where to ask."""
        labels = "、".join(KIND_LABEL[k] for k in SPECIFIC if k in missing) or "相关内容"
        lines = ["（消息中要求改变回答规则的内容已忽略。）"] if a.injection else []
        lines.append(f"知识库中未找到该问题所问的具体{labels}，无法给出确切答复，也不会推测数字。")
        cites: list[Citation] = []
        related = sorted((s for s in cands if s.coverage >= RELATED_COVERAGE and (anchor is None or anchor in s.tokens)),
                         key=lambda s: -s.score)
        if related:
            cites = self.cite(related[:1])
            lines.append(f"知识库中相关的内容：{self.source_label(cites[0])}：{cites[0].quote}[1]")
        channel = next((s for s in sorted(cands, key=lambda s: -s.score) if _CHANNEL.search(s.text)
                        and anchor is not None and anchor in s.tokens and all(s.start != c.start for c in cites)), None)
        hotline = self.cite([channel])[0] if channel is not None else self._hotline()
        if hotline is not None:
            hotline.n = len(cites) + 1
            cites.append(hotline)
            lines.append(f"可咨询：{self.source_label(hotline)}：{hotline.quote}[{hotline.n}]")
        text = "\n".join(lines)
        if numbers_outside(text, (c.quote + c.chunk.title + c.chunk.version_date for c in cites)):
            text, cites = lines[1 if a.injection else 0], []
        return Answer(text, True, cites, hits, a)

    def domain_reply(self, a: QueryAnalysis) -> Answer:
        """What the assistant answers, and where else to ask: the 12345 hotline, quoted with its source."""
        hotline = self._hotline()
        lines = [DOMAIN_TEXT]
        if hotline is not None:
            lines.append(f"其他问题可咨询政务服务热线：{self.source_label(hotline)}：{hotline.quote}[1]")
        return Answer("\n".join(lines), True, [hotline] if hotline else [], [], a, answered_by="domain")


_CLAUSE_END = re.compile(r"[，,；;。、：:！!？?]")


def _clause_before(text: str, pos: int) -> str:
    """The words of ``text`` between the clause break before ``pos`` and ``pos``: what a figure is a figure of."""
    breaks = [m.end() for m in _CLAUSE_END.finditer(text, 0, pos)]
    return text[breaks[-1] if breaks else 0:pos]
