from typing import Literal

from fastapi import APIRouter

from bot.api.deps import ServiceDep
from bot.errors import NotFound
from bot.match import match_dict, match_profile, programme_dict, quote_dict
from bot.schemas import MatchRequest

router = APIRouter(prefix="/api", tags=["programmes"])
Category = Literal["talent", "financing", "service", "tax", "social"]


@router.get("/programmes")
def programmes(service: ServiceDep, category: Category | None = None, audience: str | None = None) -> dict:
    """The programme catalogue; every field is a verbatim quote with its citation, or 原文未列明."""
    items = [p for p in service.catalogue.programmes
             if (category is None or p.category == category) and (audience is None or audience in p.audience)]
    return {"programmes": [programme_dict(p) for p in items]}


@router.get("/programmes/{programme_id}")
def programme(programme_id: str, service: ServiceDep) -> dict:
    """One programme of the catalogue."""
    p = service.catalogue.get(programme_id)
    if p is None:
        raise NotFound(f"no programme with id {programme_id!r}")
    return programme_dict(p)


@router.post("/match")
def match(body: MatchRequest, service: ServiceDep) -> dict:
    """Programmes that may fit a profile, best first, with quoted conditions, open questions and a next step."""
    cat = service.catalogue
    prof, found = match_profile(body.profile, cat, channel=cat.channel)
    out = {"matches": [match_dict(m) for m in found],
           "understood": {"audience": sorted(prof.audience), "needs": sorted(prof.needs)}}
    if not found:
        out["message"] = "知识库中没有找到与您情况相符的政策。"
        if cat.channel is not None:
            out["message"] += f"可咨询：{cat.channel.text}[1]"
            out["citations"] = [quote_dict(1, cat.channel)]
    return out
