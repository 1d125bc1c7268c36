"""The parts of a multi-part question with the shipped model and store: each part's quote says the part's words."""

from bot.answering.conversation import understand
from knowledge.query import FRAME_WORDS, question_parts

# the second part asks about something no passage mentions (a pet); the first is answered by the entry rules
QUESTION = "外国专家来重庆工作要办什么证？他家的猫能带进来吗"


def test_a_part_no_sentence_speaks_to_adds_no_quote(shipped_service):
    answerer = shipped_service.answerer
    tok = answerer.searcher.tokenizer
    a, hits, sents, _ = answerer.scored(understand(QUESTION, []))
    parts = question_parts(a.question)
    assert len(parts) == 2
    pet = {t for t in tok.tokenize(parts[1]) if t not in FRAME_WORDS and answerer.searcher.document_frequency(t) > 0}
    pet -= set(tok.tokenize(parts[0]))
    assert pet and not any(pet & set(tok.tokenize(s.text)) for s in sents)  # the precondition: nothing says it
    first = {t for t in tok.tokenize(parts[0]) if t not in FRAME_WORDS}
    picked = answerer.composer.pick(sents, a)
    added = [s for s in answerer._pick_parts(a, sents, picked, hits) if not any(s is p for p in picked)]
    # a sentence added for the pet part would be padding: it can only say the first part's words, if any
    assert all(first & set(tok.tokenize(s.text)) for s in added)
