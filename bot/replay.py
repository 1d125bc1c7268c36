"""Answers kept and composed again: composition measured in seconds instead of a 25-minute run.

``bot eval --out-of-fold --keep FILE`` keeps what the answerer deliberated for each tune item (the passages,
the candidate sentences scored by the fold's answerability model, the refuse-or-answer decision) together with
the fold's models. ``bot replay FILE`` composes the answers again from what was kept and scores them as
``bot eval`` does:
- under the composer as it ships, which must reproduce the kept answers (the count is printed);
- for each follow ratio of a sweep (``Composer.follow_ratio``);
- and with each answerable item's missed key points sorted by where they were lost.

The refuse-or-answer decision is the kept one. The abstention row reads the quotes only through the kinds of
fact they leave unstated, so a sweep point's refusals are those of the shipped composer. The file is a
pickle: a local evaluation artefact, read only from a path the user gives, never shipped or served.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering.answerer import Answerer
from bot.answering.types import Answer, Deliberation
from bot.evaluation import _squash_text, document_texts, evaluate_answers

if TYPE_CHECKING:
    from bot.answering.answerability import AnswerabilityModel
    from bot.answering.pairs import WordPairs

KEEP_FORMAT = "kept-answers/1"
# Follow ratios (one-part, multi-part questions) swept by ``bot replay``: the shipped pair among them.
SWEEP = ((0.55, 0.4), (0.5, 0.35), (0.45, 0.3), (0.42, 0.25), (0.4, 0.25), (0.35, 0.25), (0.3, 0.2))
LOSSES = ("refused", "in a candidate sentence, not quoted", "in a passage, across sentences", "not retrieved")


class KeptFileError(ValueError):
    """A kept-answers file that is missing, unreadable or of another format."""


@dataclass
class Kept:
    """One item as the answerer left it: settled early (an ``Answer``) or deliberated, with the decision and
    the models that scored it (a fold's, out of fold)."""

    item_id: str
    text: str  # the answer given
    deliberation: Deliberation | Answer
    refused: bool  # the abstention model's decision (False when settled before it)
    answerability: AnswerabilityModel  # the fold's
    pairs: WordPairs


@contextmanager
def _deliberations(answerer: Answerer) -> Iterator[list]:
    """Each ``deliberate`` call's result with the models in force, while the block runs."""
    seen: list = []
    deliberate = answerer.deliberate

    def recording(question: str, history: list[dict] | None = None):
        d = deliberate(question, history)
        refused = not isinstance(d, Answer) and answerer.abstention.refuses(d.row)
        seen.append((d, refused, answerer.answerability, answerer.pairs))
        return d

    answerer.deliberate = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del answerer.deliberate  # the class's method again


def keeping(answerer: Answerer, ask: Callable[[dict], dict]) -> tuple[Callable[[dict], dict], list[Kept]]:
    """``ask`` that also keeps each item's deliberation; the list fills as items are asked."""
    kept: list[Kept] = []

    def ask_kept(item: dict) -> dict:
        with _deliberations(answerer) as seen:
            body = ask(item)
        d, refused, model, pairs = seen[-1]
        kept.append(Kept(item["id"], body["answer"], d, refused, model, pairs))
        return body

    return ask_kept, kept


def save(kept: list[Kept], path: str | Path, set_name: str) -> None:
    with open(path, "wb") as f:
        pickle.dump({"format": KEEP_FORMAT, "set": set_name, "date": dt.date.today().isoformat(), "kept": kept}, f)


def load(path: str | Path) -> dict:
    try:
        with open(path, "rb") as f:
            data = pickle.load(f)  # noqa: S301 - a local artefact of `bot eval --keep`, from the user's own path
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError) as exc:
        raise KeptFileError(f"cannot read kept answers {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != KEEP_FORMAT:
        raise KeptFileError(f"{path} is not a kept-answers file ({KEEP_FORMAT}); write one with "
                            "`bot eval --out-of-fold --keep FILE`")
    return data


def recompose(answerer: Answerer, k: Kept) -> Answer:
    """The kept item's answer composed again by ``answerer``'s composer, with the kept models and decision."""
    d = k.deliberation
    if isinstance(d, Answer):
        return d
    shipped = answerer.answerability, answerer.pairs, answerer.drafter
    answerer.answerability, answerer.pairs, answerer.drafter = k.answerability, k.pairs, None
    try:
        picked, unstated, foreign = answerer.choose(d.analysis, d.candidates, d.hits)
        if answerer.silent(picked, d.needed, unstated, foreign):
            return answerer.composer.refusal(d.analysis, d.needed or {"_"}, d.candidates, d.hits, d.anchor)
        return answerer.conclude(replace(d, picked=picked, unstated=unstated), k.refused)
    finally:
        answerer.answerability, answerer.pairs, answerer.drafter = shipped


def losses(items: list[dict], kept: list[Kept], bodies: dict[str, dict]) -> Counter:
    """Each answerable item's missed key points by where they were lost: a refusal, a candidate sentence that
    holds the point but was not quoted, a retrieved passage that holds it across sentences, or no passage."""
    by_id = {k.item_id: k for k in kept}
    out: Counter = Counter()
    for item in items:
        if not item.get("gold") or item["id"] not in by_id:
            continue
        body, d = bodies[item["id"]], by_id[item["id"]].deliberation
        said = _squash_text(body["answer"])
        sentences = "" if isinstance(d, Answer) else _squash_text("".join(s.text for s in d.candidates))
        passages = "" if isinstance(d, Answer) else _squash_text("".join(h.chunk.text for h in d.hits))
        for point in map(_squash_text, item.get("answer_points", [])):
            if point in said:
                continue
            out[LOSSES[0] if body["refused"] else LOSSES[1] if point in sentences
                else LOSSES[2] if point in passages else LOSSES[3]] += 1
    out["points"] = sum(len(it.get("answer_points", [])) for it in items if it.get("gold") and it["id"] in by_id)
    return out


def replay_figures(service, items: list[dict], path: str | Path,
                   sweep: tuple[tuple[float, float], ...] = SWEEP) -> str:
    """The kept answers reproduced, their losses, and the follow-ratio sweep (one line per ratio pair)."""
    data = load(path)
    kept: list[Kept] = data["kept"]
    by_item = {it["id"]: it for it in items}
    missing = [k.item_id for k in kept if k.item_id not in by_item]
    if missing:
        raise KeptFileError(f"{len(missing)} kept items are not in the evaluation set (e.g. {missing[0]})")
    asked = [by_item[k.item_id] for k in kept]
    answerer, texts = service.answerer, document_texts(service)

    def composed() -> dict[str, dict]:
        return {k.item_id: recompose(answerer, k).as_dict() for k in kept}

    def overall(bodies: dict[str, dict]) -> dict[str, float]:
        return evaluate_answers(asked, lambda it: bodies[it["id"]], texts.__getitem__).rows["overall"]

    bodies = composed()
    same = sum(bodies[k.item_id]["answer"] == k.text for k in kept)
    lost = losses(asked, kept, bodies)
    lines = [f"== {len(kept)} items kept on {data['date']} ({data['set']}); "
             f"composed again as shipped, {same} answers are the kept ones verbatim",
             f"== key points missed ({lost['points']} points on answerable items), by where they were lost"]
    lines += [f"  {name:38s} {lost[name]:5d}  {lost[name] / max(lost['points'], 1):.4f}" for name in LOSSES]
    lines.append("== follow ratio (one-part, multi-part): key points, false refusals, median length")
    shipped = answerer.composer.follow_ratio
    try:
        for ratio in sweep:
            answerer.composer.follow_ratio = ratio
            o = overall(bodies if ratio == shipped else composed())
            lines.append(f"  {ratio[0]:.2f} {ratio[1]:.2f}  {_share(o['key_point_recall'])}  "
                         f"{_share(o['false_refusals'])}  {o['median_length']:4.0f}"
                         + ("  <- shipped" if ratio == shipped else ""))
    finally:
        answerer.composer.follow_ratio = shipped
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "   -  " if value is None else f"{value:.4f}"
