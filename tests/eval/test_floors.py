"""Quality floors on the held-out split: a regression guard a little under the last measurement.

The floors move up as the product improves (docs/benchmarks.md has the measured figures); they are
never targets to tune to. Only aggregate figures are checked, so no held-out item is read one by one.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

# Measured 2026-11-27 02:23-03:38 on the 629 held-out items with the shipped models (docs/benchmarks.md,
# eleventh section: 0.834 / 0.979 / 0.894; key points 0.853, unanswerable and out-of-domain refused 0.863,
# false refusals 0.066, median 221); each floor sits a little under it. The retrieval floors went down
# (hit@1 0.84 -> 0.82, MRR 0.90 -> 0.88) when 94 harder items joined held-out (an earlier ranker scored 0.848 /
# 0.981 / 0.905 on the eighth section's 444). The refusal floor went down 0.87 -> 0.82 in the sixth session for
# the same kind of reason (held-out grew with items first measured as an unseen set).
RETRIEVAL_FLOORS = {"hit@1": 0.82, "hit@5": 0.96, "mrr": 0.88}
ANSWER_FLOORS = {"key_point_recall": 0.85, "refusal_accuracy": 0.82}
ANSWER_CEILINGS = {"false_refusals": 0.07, "median_length": 250}


@pytest.fixture(scope="module")
def heldout():
    from bot.evaluation import standard_sets

    sets = standard_sets([str(ROOT / "eval" / "questions.jsonl")], splits=("heldout",))
    assert len(sets) == 1 and len(sets[0].items) > 200
    return sets[0]


def test_retrieval_on_heldout_stays_above_its_floors(shipped_service, heldout):
    from bot.evaluation import document_texts, evaluate_retrieval, retrieve

    rep = evaluate_retrieval(heldout.items, lambda it: retrieve(shipped_service, it), document_texts(shipped_service))
    overall = rep.rows["overall"]
    low = {k: round(overall[k], 3) for k, floor in RETRIEVAL_FLOORS.items() if overall[k] < floor}
    assert not low, f"held-out retrieval below its floors: {low} (floors {RETRIEVAL_FLOORS})"


def test_answers_on_heldout_stay_above_their_floors(shipped_service, heldout):
    from bot.evaluation import evaluate_answers

    texts: dict[str, str] = {}

    def document_text(doc_id: str) -> str:
        return texts.setdefault(doc_id, shipped_service.get_document(doc_id).text)

    rep = evaluate_answers(heldout.items, lambda it: shipped_service.ask(it["question"], it.get("history", [])).as_dict(),
                           document_text)
    o = rep.rows["overall"]
    assert o["citation_validity"] == 1.0, "every citation must be a verbatim span of its document"
    assert o["loose_numbers"] == 0, "no number may appear outside its citations"
    low = {k: round(o[k], 3) for k, floor in ANSWER_FLOORS.items() if o[k] < floor}
    high = {k: round(o[k], 3) for k, ceiling in ANSWER_CEILINGS.items() if o[k] > ceiling}
    assert not low and not high, f"held-out answers past their floors: {low} {high}"
