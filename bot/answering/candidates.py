"""Candidate sentences of the retrieved passages, and what the question's words say about them.

Everything here is measured on the texts (idf-weighted word coverage, the kinds of fact a sentence
states, whether it names the question's subject); the answerability model weighs it.
"""

from __future__ import annotations

import re

from bot.answering.types import Candidate
from knowledge.asked import in_sentence
from knowledge.models import Hit
from knowledge.query import EVIDENCE, FRAME_WORDS, QueryAnalysis
from knowledge.search import HybridSearcher
from knowledge.text import labelled_sentences

GLOSSARY_FACTOR = 0.6  # a glossary term counts less than the user's own word
TOPIC_FACTOR = 0.5  # an earlier turn's word counts less than the current message's
MIN_SENTENCE_CHARS = 4
# A per-person/per-case standard, as opposed to a total ("累计兑现……近2.4亿元").
_STANDARD = re.compile(r"每[人户月年项件次]|不少于|不低于|不超过|不高于|最高|最低|上限|标准为|按照.{0,12}标准|给予.{0,8}(补贴|奖励)")
_AGGREGATE = re.compile(r"累计|总规模|共计|合计|总额|撬动|总量|共[转化投]|超过?\d|达\d|近\d|约\d")
# "X是多少" / "X有多少" / "X为多少": X names the figure asked (a copula, so a verb phrase is never taken for X)
_ASKED_FIGURE = re.compile(r"([\u4e00-\u9fff]{2,12}?)(?:大概|一般|大约)?(?:是|有|为)(?:多少|几)")
_COUNTED = re.compile(r"(?:多少|几)(?:个|项|家|名|套|所|座|条|次|件|位|批|户|支|种|类)([\u4e00-\u9fff]{2,8})")
# A penalty clause (处五千元以上五万元以下罚款, 并处……罚金): its figure is a fine, which answers no question
# except one about penalties.
_PENALTY = re.compile(r"罚款|罚金")
_ASKS_PENALTY = re.compile(r"罚")
# Clauses split at the breaks of `composition._clause_before` except 、, which joins a fine's range
# (处一万元以上、五万元以下罚款) into one clause.
_CLAUSE = re.compile(r"[^，,；;。：:！!？?]+")
# Headings inside report paragraphs ("二是加强区域人才政策协同。") say what follows, not a fact.
_LABEL_SENTENCE = re.compile(r"^([一二三四五六七八九十]+是[^，,；;]{0,20}。|[（(][一二三四五六七八九十]+[)）](关于|进一步)[^，,；;]{0,30}。)$")


def question_weights(searcher: HybridSearcher, question: str, topic: str = "") -> dict[str, float]:
    """idf weights of the question's words (glossary terms and an earlier turn's topic count less)."""
    tok = searcher.tokenizer
    w: dict[str, float] = {}

    def add(text: str, factor: float) -> None:
        for t in tok.tokenize(text):
            if searcher.document_frequency(t) == 0:
                continue  # a word no passage contains cannot tell passages apart (a typo, chatter)
            w[t] = max(w.get(t, 0.0), factor * searcher.idf(t))

    add(question, 1.0)
    for e in searcher.glossary.expand(question):
        add(e, GLOSSARY_FACTOR)
    if topic:
        add(topic, TOPIC_FACTOR)
    return w


def coverage(tokens: set[str] | frozenset[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(wt for t, wt in weights.items() if t in tokens) / total if total else 0.0


def sentences(searcher: HybridSearcher, hits: list[Hit], weights: dict[str, float],
              query: str | None = None, own: str | None = None) -> list[Candidate]:
    """Every fact-bearing sentence of the passages, with its coverage of the question's words and, when
    ``query`` is given, its similarity in meaning to it."""
    tok = searcher.tokenizer
    out: list[Candidate] = []
    for rank, h in enumerate(hits):
        c = h.chunk
        chunk_tokens = set(searcher.chunk_tokens(c.chunk_id)) or set(tok.tokenize(c.index_text))
        chunk_cov = coverage(chunk_tokens, weights)
        first = True
        for s, e in labelled_sentences(c.text):
            text = c.text[s:e]
            if len(text) < MIN_SENTENCE_CHARS or _LABEL_SENTENCE.match(text):
                continue  # labels of report paragraphs say what follows, not a fact
            toks = set(tok.tokenize(text)) | set(tok.tokenize(c.context))  # both cached by the tokenizer
            out.append(Candidate(rank, h, c.start + s, c.start + e, text, coverage=coverage(toks, weights),
                                 chunk_coverage=chunk_cov, tokens=toks, first=first,
                                 kinds={k for k, p in EVIDENCE.items() if p.search(text)}))
            first = False
    if query is not None and out:
        texts = [x.text for x in out]
        sims = searcher.sentence_similarity(query, texts)
        if own and own != query:  # a follow-up: its own ask counts as much as the conversation (as in search)
            sims = (sims + searcher.sentence_similarity(own, texts)) / 2
        for cand, sim in zip(out, sims, strict=True):
            cand.dense = float(sim)
        asked = {h.chunk.chunk_id: _mean_asked(searcher, query, own, h.chunk.chunk_id) for h in hits}
        for cand in out:
            cand.asked = max((sim for quote, sim in asked[cand.hit.chunk.chunk_id] if in_sentence(quote, cand.text)),
                             default=0.0)
    return out


def _mean_asked(searcher: HybridSearcher, query: str, own: str | None, chunk_id: str) -> list[tuple[str, float]]:
    """The chunk's written questions with their cosine to the query (for a follow-up: the mean of the
    conversation's and the message's own)."""
    whole = searcher.asked_of(query, chunk_id)
    if not own or own == query:
        return whole
    return [(q, (a + b) / 2) for (q, a), (_, b) in zip(whole, searcher.asked_of(own, chunk_id), strict=True)]


def subject(searcher: HybridSearcher, a: QueryAnalysis) -> tuple[dict[str, float], set[str]]:
    """The question's subject words (its own words outside the question's frame) and its anchors:
    the most specific of them, or the official words the glossary gives for it (裁员 → 裁减人员)."""
    own = {t: w for t, w in question_weights(searcher, a.question).items() if t not in FRAME_WORDS}
    anchor = max(own, key=own.get) if own else None
    if not anchor:
        return own, set()
    return own, {anchor} | {t for e in searcher.glossary.expand(anchor) for t in searcher.tokenizer.tokenize(e)}


def _noun_terms(searcher: HybridSearcher, nouns: list[str]) -> set[str]:
    """The content words of the nouns, with the glossary's words for them."""
    terms: set[str] = set()
    for noun in nouns:
        terms |= {t for t in searcher.tokenizer.tokenize(noun) if len(t) >= 2 and t not in FRAME_WORDS}
        for e in searcher.glossary.expand(noun):
            terms |= set(searcher.tokenizer.tokenize(e))
    return terms


def counted_terms(searcher: HybridSearcher, question: str) -> set[str]:
    """What a count question counts ("几家电影院" → 电影院…): a number of 企业 does not count cinemas."""
    return _noun_terms(searcher, [m.group(1) for m in _COUNTED.finditer(question)])


def figure_terms(searcher: HybridSearcher, question: str) -> set[str]:
    """What an amount or a figure is asked of ("海外人才的安家费是多少" → 安家费 …), with the glossary's words
    for it: an amount stated of something else (another programme's 兑现金额) does not answer it."""
    return _noun_terms(searcher, [m.group(1).split("的")[-1] for m in _ASKED_FIGURE.finditer(question)])


def figure_owners(searcher: HybridSearcher, question: str) -> set[str]:
    """Whose figure is asked ("科企梯度贷的年利率是多少" → 科企梯度贷): the corpus words before the last 的."""
    owners: set[str] = set()
    for m in _ASKED_FIGURE.finditer(question):
        parts = m.group(1).split("的")
        if len(parts) > 1:
            owners |= {t for t in _noun_terms(searcher, ["".join(parts[:-1])]) if searcher.document_frequency(t) > 0}
    return owners


def unknown_subject(searcher: HybridSearcher, question: str) -> str | None:
    """The thing a figure is asked of, when the knowledge base has no word of it ("房价是多少" → 房价)."""
    for m in _ASKED_FIGURE.finditer(question):
        subj = m.group(1).split("的")[-1]
        toks = [t for t in searcher.tokenizer.tokenize(subj) if len(t) >= 2 and t not in FRAME_WORDS]
        if toks and not searcher.glossary.expand(subj) and all(searcher.document_frequency(t) == 0 for t in toks):
            return subj
    return None


def penalty_kinds(question: str, text: str, kinds: set[str]) -> set[str]:
    """The figure kinds (of ``kinds``) the sentence states only inside penalty clauses, when the question
    asks about none: a fine (处五千元以上五万元以下罚款) is not the fee or the amount asked."""
    if _ASKS_PENALTY.search(question) or not _PENALTY.search(text):
        return set()
    rest = "，".join(c for c in _CLAUSE.findall(text) if not _PENALTY.search(c))
    return {k for k in kinds if k in EVIDENCE and not EVIDENCE[k].search(rest)}


def is_standard(text: str) -> bool:
    """Does the sentence state a per-person/per-case standard (not only a total)?"""
    return bool(_STANDARD.search(text)) and not (_AGGREGATE.search(text) and not re.search(r"每[人户月]", text))
