"""The answerer: conversation → retrieval → candidate sentences → answerability → composition.

Offline and extractive by default: every sentence of an answer is a verbatim, cited quote. A question
the knowledge base's domain does not cover gets the domain reply (``knowledge.domain``); one the abstention
model (``abstention``: the sentences' probabilities, the kinds of fact the quotes state, the domain signals)
finds unanswerable is refused.
An LLM drafter, when handed one, may word the answer from the same passages under the same checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import numpy as np

from bot.answering import candidates as cand
from bot.answering.abstention import AbstentionModel, question_features
from bot.answering.answerability import (
    FIGURES,
    AnswerabilityModel,
    needed_kinds,
    satisfied,
    sentence_features,
    stated_kinds,
)
from bot.answering.composition import HELP_TEXT, KIND_LABEL, OFF_TOPIC_TEXT, Composer
from bot.answering.conversation import understand
from bot.answering.pairs import WordPairs
from bot.answering.types import Answer, Candidate, Deliberation, Drafter
from bot.answering.uncovered import UncoveredModel, left_over
from bot.verify import numbers_outside
from knowledge.domain import DomainModel, read_question
from knowledge.models import Hit
from knowledge.query import FRAME_WORDS, QueryAnalysis, analyze, question_parts, smalltalk, statement_context
from knowledge.search import HybridSearcher

log = logging.getLogger(__name__)

# Passages whose sentences are candidates. The sentence model, not the passage ranking, decides what is quoted,
# so a deeper pool finds the answering sentence of a passage ranked below the eighth. Out of fold on tune (3,679
# items, the shipped thresholds, a fine never counted as the asked amount), 8 → 16 passages stated 0.899 → 0.910
# of the key points and refused 0.040 → 0.037 of the answerable questions, at a median of 209 → 227 characters
# (quoting at a stricter ratio, 16 passages kept 0.900 at 204: part of the gain is length). docs/benchmarks.md.
ANSWER_PASSAGES = 16
PART_HITS = 4  # extra passages retrieved for each part of a multi-part question
SHORT_PART = 15  # characters: a part this short ("法律上有依据吗？") is read with the part before it
STREAM_PIECE = 24  # characters per streamed piece


class Answerer:
    """Answers questions from the knowledge base, offline by default."""

    def __init__(self, searcher: HybridSearcher, answerability: AnswerabilityModel, *,
                 abstention: AbstentionModel | None = None, domain: DomainModel | None = None,
                 uncovered: UncoveredModel | None = None, pairs: WordPairs | None = None,
                 drafter: Drafter | None = None,
                 k: int = ANSWER_PASSAGES) -> None:
        self.searcher = searcher
        self.answerability = answerability
        self.abstention = abstention or AbstentionModel.untrained()
        self.uncovered = uncovered or UncoveredModel.untrained()
        self.pairs = pairs or WordPairs.untrained()
        self.domain = domain
        # names the product's scope explicitly (the programme catalogue): never turned away as out of domain
        self.in_scope: Callable[[str], bool] = lambda text: False
        self.drafter = drafter
        self.k = k
        self.composer = Composer(searcher)

    # ---- retrieval ---------------------------------------------------------------------------------
    def retrieve(self, a: QueryAnalysis) -> list[Hit]:
        hits = self.searcher.search(a.retrieval_text, self.k, about_past=a.about_past, own=a.own_text)
        parts = question_parts(a.question)
        if len(parts) >= 2:
            # Part by part: "毕业生创业有什么优惠？能申请贷款扶持吗？" may need two documents.
            seen = {h.chunk.chunk_id for h in hits}
            for part in self._part_queries(a, parts):
                for h in self.searcher.search(part, PART_HITS, about_past=a.about_past):
                    if h.chunk.chunk_id not in seen:
                        seen.add(h.chunk.chunk_id)
                        hits.append(h)
        if not a.about_past:
            hits = [h for h in hits if not h.superseded_by] or hits
        return hits

    @staticmethod
    def _part_queries(a: QueryAnalysis, parts: list[str]) -> list[str]:
        """Each part with what it leans on: the statements around it, and for a short part the part before it."""
        context = statement_context(a.question)
        out = []
        for i, part in enumerate(parts):
            lean = parts[i - 1] if i > 0 and len(part) < SHORT_PART else ""
            out.append(" ".join(x for x in (a.topic, context, lean, part) if x))
        return out

    # ---- candidates --------------------------------------------------------------------------------
    def candidates(self, question: str, history: list[dict] | None = None):
        """The analysis, passages and scored candidate sentences of a message (also what training reads).

        Returns:
            (analysis, hits, candidates, feature rows); each candidate's ``score`` is P(answers).
        """
        return self.scored(understand(question, history))

    def scored(self, a: QueryAnalysis):
        """``candidates`` for a message already understood."""
        hits = self.retrieve(a)
        weights = cand.question_weights(self.searcher, a.question, a.topic)
        sents = cand.sentences(self.searcher, hits, weights, a.retrieval_text, a.own_text)
        x = sentence_features(self.searcher, a, sents, hits, self.pairs)
        for s, p in zip(sents, self.answerability.probabilities(x), strict=True):
            s.score = float(p)
        return a, hits, sents, x

    # ---- answering ---------------------------------------------------------------------------------
    def deliberate(self, question: str, history: list[dict] | None = None) -> Answer | Deliberation:
        """Everything before the refuse-or-answer decision: an ``Answer`` when the message is settled earlier
        (chit-chat, out of domain, nothing to quote, a foreign number of the asked kind), else the
        ``Deliberation`` the abstention model decides on. Training builds its rows with this too."""
        a = understand(question, history)
        talk = smalltalk(question)
        if talk:
            return Answer(HELP_TEXT if talk != "off_topic" else OFF_TOPIC_TEXT, talk == "off_topic", [], [], a,
                          answered_by="help")
        signals, in_context, vector = read_question(self.searcher, a)
        if self.domain is not None and not self.in_scope(a.question) and self.domain.out_of_domain(
                signals, vector, in_context):
            return self.composer.domain_reply(a)
        a, hits, sents, x = self.scored(a)
        needed = needed_kinds(a)
        _, anchors = cand.subject(self.searcher, a)
        anchor = max(anchors, key=self.searcher.idf) if anchors else None
        picked, unstated, foreign = self.choose(a, sents, hits)
        if self.silent(picked, needed, unstated, foreign):
            return self.composer.refusal(a, needed or {"_"}, sents, hits, anchor)
        best = max(sents, key=lambda s: s.score)
        missing = left_over(self.searcher.tokenizer, a.question, best.text)
        # the domain signals already read the nearest unanswered bank question (the same vector, the same bank)
        row = question_features(x, np.array([s.score for s in sents]), hits, needed, unstated, signals,
                                followup=bool(a.topic), unanswered=signals["unanswered_top1"],
                                uncovered=self.uncovered.probability(missing))
        return Deliberation(a, hits, sents, picked, needed, unstated, anchor, row, missing)

    def choose(self, a: QueryAnalysis, sents: list[Candidate], hits: list[Hit]
               ) -> tuple[list[Candidate], set[str], bool]:
        """The quotes, the kinds of fact asked that they leave unstated, and whether one holds another thing's
        figure of an asked kind (``unstated``)."""
        picked = self.quotes(a, sents, hits) if sents else []
        return picked, *self.unstated(a, picked)

    @staticmethod
    def silent(picked: list[Candidate], needed: set[str], unstated: set[str], foreign: bool) -> bool:
        """Nothing to quote, or the only facts of the asked kind are another thing's (a fine, when a fee is
        asked): a reader would take that number for the answer, so the question is refused."""
        return not picked or (bool(needed) and unstated == needed and foreign)

    def answer(self, question: str, history: list[dict] | None = None) -> Answer:
        """Answer one message in its conversation; every [n] in the text is a verbatim citation."""
        d = self.deliberate(question, history)
        if isinstance(d, Answer):
            return d
        return self.conclude(d, self.abstention.refuses(d.row))

    def conclude(self, d: Deliberation, refuse: bool) -> Answer:
        """The answer to a deliberated message once refuse-or-answer is decided: a refusal, the drafter's
        answer, or the quotes composed with what they leave unstated."""
        a, hits = d.analysis, d.hits
        if refuse:
            return self.composer.refusal(a, d.needed or {"_"}, d.candidates, hits, d.anchor)
        if self.drafter is not None:
            draft = self.drafter(a, hits)
            if draft is not None:
                return draft
        cites = self.composer.cite(d.picked, a)
        text = self.composer.compose(a, cites)
        if d.unstated:
            # a partial answer: what the documents say, and plainly what they do not
            text += "\n知识库未列明所问的具体" + "、".join(KIND_LABEL[k] for k in KIND_LABEL if k in d.unstated) + "。"
        loose = numbers_outside(text, (c.quote + c.chunk.title + c.chunk.version_date for c in cites))
        if loose:  # cannot happen for quoted text; kept as the last gate
            log.error("extractive answer had uncited numbers %s; refusing", loose)
            return self.composer.refusal(a, {"_"}, [], hits, None)
        return Answer(text, False, cites, hits, a)

    def unstated(self, a: QueryAnalysis, picked: list[Candidate]) -> tuple[set[str], bool]:
        """The kinds of fact asked that no quote states of the question's subject, and whether a quote
        holds a number of an asked kind that is another thing's (a fine, when a fee is asked): such a
        quote is never given as a partial answer, because a reader takes its number for the answer."""
        needed = needed_kinds(a)
        unstated = needed - stated_kinds(self.searcher, a, picked)
        return unstated, any(satisfied(p.kinds, unstated & FIGURES) for p in picked)

    def quotes(self, a: QueryAnalysis, sents: list[Candidate], hits: list[Hit]) -> list[Candidate]:
        """The sentences an answer quotes: the best and what adds to it, then each part's best."""
        picked = self._pick_parts(a, sents, self.composer.pick(sents, a), hits)
        return picked[:1] + [p for p in picked[1:] if not self._only_foreign(a, p)]

    def _only_foreign(self, a: QueryAnalysis, s: Candidate) -> bool:
        """A further quote whose only figure of an asked kind is another thing's (a fine, when a fee is asked)
        states nothing asked, and a reader would take its number for the answer."""
        needed = needed_kinds(a)
        return bool(satisfied(s.kinds, needed & FIGURES)) and not stated_kinds(self.searcher, a, [s]) & needed

    def _pick_parts(self, a: QueryAnalysis, sents: list[Candidate], picked: list[Candidate],
                    hits: list[Hit]) -> list[Candidate]:
        """Make sure each part of a multi-part question has its most probable sentence among the quotes."""
        parts = question_parts(a.question)
        if len(parts) < 2:
            return picked
        tok = self.searcher.tokenizer
        out = list(picked)
        quotable = [s for s in sents if not s.lead_in]
        for i, query in enumerate(self._part_queries(a, parts)):
            # the words only this part says ("贷款", "扶持"): its quote must contain one of them
            others = {t for j, other in enumerate(parts) if j != i for t in tok.tokenize(other)}
            own = {t for t in tok.tokenize(parts[i]) if t not in others and t not in FRAME_WORDS
                   and self.searcher.document_frequency(t) > 0}
            for e in self.searcher.glossary.expand(parts[i]):
                own |= set(tok.tokenize(e)) - others

            def says(s: Candidate) -> set[str]:  # the sentence's own words, not its chapter's
                return set(tok.tokenize(s.text))

            if own and any(own & says(p) for p in out):
                continue  # this part is already answered by a quote
            p = self.answerability.probabilities(sentence_features(self.searcher, analyze(query), quotable, hits,
                                                                        self.pairs))
            order = [quotable[j] for j in np.argsort(-p)] if len(p) else []
            best = next((s for s in order if not own or own & says(s)), None)
            if best is None:  # no sentence repeats the part's words: its best quote from a document not yet cited
                cited = {q.hit.chunk.doc_id for q in out}
                best = next((s for s in order if s.hit.chunk.doc_id not in cited), None)
            if best is None or any(q is best for q in out) or any(
                    q.hit.chunk.doc_id == best.hit.chunk.doc_id and best.start < q.end and q.start < best.end
                    for q in out):
                continue
            if len(out) >= self.composer.max_quotes + 1:
                out = out[:-1]
            out.append(best)
        return out

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[str | Answer]:
        """Yield the answer text in pieces as it is produced, then the final ``Answer``."""
        ans = self.answer(question, history)
        for line in ans.text.splitlines(keepends=True):
            for i in range(0, len(line), STREAM_PIECE):
                yield line[i:i + STREAM_PIECE]
        yield ans
