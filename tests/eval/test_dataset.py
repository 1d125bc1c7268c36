"""The development set is valid, complete and split once by a hash of each id."""

from __future__ import annotations

import importlib.util
import json
import sys

from tests.conftest import ROOT


def _dataset():
    spec = importlib.util.spec_from_file_location("eval_dataset", ROOT / "eval" / "dataset.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eval_dataset"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_questions_pass_the_validator_with_every_count_reached():
    ds = _dataset()
    rep = ds.check(ds.load(ds.QUESTIONS), ds.corpus_files())
    assert rep.errors == []
    assert rep.shortfalls == []


def test_split_is_a_fixed_function_of_the_id():
    ds = _dataset()
    # the same id always lands in the same split; the shares come out near 60/40
    assert ds.split_of("zz-001") == ds.split_of("zz-001")
    splits = [ds.split_of(f"probe-{i}") for i in range(2000)]
    assert 0.55 < splits.count("tune") / len(splits) < 0.65
    item = {"id": "probe-7", "after_failure": True}
    assert ds.expected_split(item) == "tune"


def test_validator_reports_broken_items():
    ds = _dataset()
    files = {"条例(2020-01-01).md": "第一条 用人单位应当在三十日内为职工办理社会保险登记。"}
    good = {"id": "t-1", "persona": "citizen", "type": "numeric", "question": "职工的社会保险登记限期几天？", "history": [],
            "gold": [{"doc": "条例(2020-01-01).md", "quote": "用人单位应当在三十日内为职工办理社会保险登记"}],
            "answer_points": ["三十日内"], "notes": "", "split": ds.split_of("t-1")}
    assert ds.check([good], files).errors == []
    bad_quote = json.loads(json.dumps(good)) | {"id": "t-2", "split": ds.split_of("t-2"), "question": "另一个问题？"}
    bad_quote["gold"][0]["quote"] = "用人单位应当在十五日内为职工办理社会保险登记"
    moved = good | {"id": "t-3", "question": "第三个问题？", "split": "heldout" if ds.split_of("t-3") == "tune" else "tune"}
    point = good | {"id": "t-4", "question": "第四个问题？", "answer_points": ["六十日"], "split": ds.split_of("t-4")}
    dup = good | {"id": "t-5", "split": ds.split_of("t-5")}
    errors = "\n".join(ds.check([good, bad_quote, moved, point, dup], files).errors)
    assert "t-2: quote is not an exact substring" in errors
    assert "t-3: split" in errors
    assert "t-4: answer point '六十日' is in no quote" in errors
    assert "t-5: same question as t-1" in errors
