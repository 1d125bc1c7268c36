"""Kept answers composed again (``bot.replay``): the real shipped service answers questions of my own, what it
deliberated is kept in a file, and composing again must reproduce the answers, follow a changed ratio, and sort
missed points by where they were lost."""

from __future__ import annotations

import pickle

import pytest

from bot.replay import LOSSES, KeptFileError, keeping, load, losses, recompose, replay_figures, save

OWN = [
    {"id": "own-1", "type": "paraphrase", "question": "失业保险金可以领多长时间？", "gold": [{"doc": "x", "quote": "x"}]},
    {"id": "own-2", "type": "outofdomain", "question": "明天重庆会下雨吗，要不要带伞？", "gold": []},
    {"id": "own-3", "type": "paraphrase", "question": "你好", "gold": []},
]


@pytest.fixture(scope="module")
def kept_file(shipped_service, tmp_path_factory):
    def ask(item: dict) -> dict:
        return shipped_service.ask(item["question"], item.get("history", [])).as_dict()

    ask_kept, kept = keeping(shipped_service.answerer, ask)
    bodies = {it["id"]: ask_kept(it) for it in OWN}
    path = tmp_path_factory.mktemp("kept") / "kept.pkl"
    save(kept, path, "own")
    return path, bodies


def test_keeping_leaves_the_answerer_as_it_was(shipped_service, kept_file):
    # the recording wrapper is gone once each item is asked: the class's method answers again
    assert "deliberate" not in vars(shipped_service.answerer)


def test_composing_again_as_shipped_gives_the_kept_answers(shipped_service, kept_file):
    path, bodies = kept_file
    kept = load(path)["kept"]
    assert [k.item_id for k in kept] == [it["id"] for it in OWN]
    for k in kept:
        again = recompose(shipped_service.answerer, k)
        assert again.text == k.text == bodies[k.item_id]["answer"]
        assert again.refused == bodies[k.item_id]["refused"]


def test_a_stricter_follow_ratio_quotes_only_the_best_sentence(shipped_service, kept_file):
    path, bodies = kept_file
    answered = next(k for k in load(path)["kept"] if k.item_id == "own-1")
    assert not bodies["own-1"]["refused"]
    composer = shipped_service.answerer.composer
    shipped = composer.follow_ratio
    try:
        composer.follow_ratio = (1.01, 1.01)  # no further sentence scores above its best
        strict = recompose(shipped_service.answerer, answered)
    finally:
        composer.follow_ratio = shipped
    assert len(strict.citations) == 1 < len(bodies["own-1"]["citations"])
    assert strict.citations[0].quote in bodies["own-1"]["answer"]


def test_missed_points_are_sorted_by_where_they_were_lost(shipped_service, kept_file):
    path, bodies = kept_file
    kept = load(path)["kept"]
    d = next(k for k in kept if k.item_id == "own-1").deliberation
    said = bodies["own-1"]["answer"]
    unquoted = next(s.text for s in d.candidates if s.text not in said and len(s.text) > 12)
    item = dict(OWN[0], answer_points=[bodies["own-1"]["citations"][0]["quote"][:10], unquoted[:12],
                                       "月球基地入驻补贴"])
    lost = losses([item], kept, bodies)
    assert lost["points"] == 3
    assert lost[LOSSES[1]] == 1 and lost[LOSSES[3]] == 1 and lost[LOSSES[0]] == 0


def test_the_figures_report_reproduction_and_the_sweep(shipped_service, kept_file):
    path, _ = kept_file
    out = replay_figures(shipped_service, OWN, path, sweep=((0.45, 0.3), (0.9, 0.9)))
    assert f"{len(OWN)} answers are the kept ones verbatim" in out
    assert out.count("<- shipped") == 1 and "0.90 0.90" in out


def test_a_file_of_another_kind_is_refused_with_a_message(tmp_path):
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle")
    with pytest.raises(KeptFileError, match="cannot read"):
        load(junk)
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps({"format": "something-else"}))
    with pytest.raises(KeptFileError, match="bot eval --out-of-fold --keep"):
        load(other)
    with pytest.raises(KeptFileError, match="cannot read"):
        load(tmp_path / "absent.pkl")
