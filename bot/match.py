"""政策匹配: which catalogue programmes fit a free-text profile, with quoted conditions and honest gaps.

A match never says someone qualifies: it lists the quoted scope and conditions the profile relates
to, the conditions nobody has checked (需核实) or the documents do not state (原文未列明), and a next step.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.catalogue import NOT_STATED, Catalogue, Programme, Quote
from knowledge.query import Profile, understand_profile

_FIELD_LABEL = {"who": "适用对象", "gives": "支持内容", "conditions": "申请条件", "how_to_apply": "申请方式",
                "amounts": "金额标准"}
_AUDIENCE_LABEL = {"phd": "博士", "master": "硕士", "graduate": "高校毕业生", "returnee": "留学回国人员",
                   "foreign": "外籍人才", "teacher": "高校教师", "researcher": "科研人员", "talent": "人才",
                   "enterprise": "企业", "sme": "中小企业", "hightech": "高新技术/科技型企业", "startup": "创业者",
                   "manufacturer": "制造业企业", "jobless": "失业人员", "inventor": "发明人", "citizen": "个人"}
_CATEGORY_LABEL = {"talent": "人才", "financing": "融资", "service": "政务服务", "tax": "税收", "social": "社会保障"}


@dataclass
class Match:
    programme: Programme
    score: float
    met: list[dict]
    unknown: list[str]
    next_step: str
    quotes: list[Quote]


def _quote_ref(quotes: list[Quote], q: Quote) -> int:
    if q not in quotes:
        quotes.append(q)
    return quotes.index(q) + 1


def match_profile(profile_text: str, catalogue: Catalogue, channel: Quote | None = None,
                  limit: int = 8) -> tuple[Profile, list[Match]]:
    """Programmes that fit a profile, best first; empty when nothing in the catalogue fits.

    A programme fits when it serves one of the profile's needs for an audience the profile belongs to;
    with no need stated, the audience alone decides (lower score).
    """
    prof = understand_profile(profile_text)
    out: list[Match] = []
    for p in catalogue.programmes:
        needs = prof.needs & set(p.needs)
        aud = prof.audience & set(p.audience)
        # A need the programme serves, for someone it is written for; a profile that states no need
        # is matched on a specific audience only (a foreign expert, a jobless person…), never on "我".
        specific = aud - {"citizen", "talent", "enterprise"}
        if not aud or (prof.needs and not needs) or (not prof.needs and not specific):
            continue
        score = 2.0 * len(needs) + len(aud) + (0.5 if p.fields["gives"] else 0)
        quotes: list[Quote] = []
        met: list[dict] = []
        who = p.fields["who"]
        label = "、".join(_AUDIENCE_LABEL[a] for a in sorted(aud))
        for q in who:
            met.append({"text": f"您的情况（{label}）与原文所述对象相关：{q.text}", "quote": q.text, "n": _quote_ref(quotes, q)})
        for q in p.fields["gives"]:
            if needs:
                met.append({"text": f"您的需要与原文所述支持相关：{q.text}", "quote": q.text, "n": _quote_ref(quotes, q)})
        unknown: list[str] = []
        if p.fields["conditions"]:
            for q in p.fields["conditions"]:
                n = _quote_ref(quotes, q)
                unknown.append(f"需核实：{q.text}[{n}]")
        else:
            unknown.append(f"申请条件：{NOT_STATED}，是否符合需向主管部门核实")
        if not p.fields["amounts"]:
            unknown.append(f"金额标准：{NOT_STATED}")
        else:
            for q in p.fields["amounts"]:
                _quote_ref(quotes, q)
        if p.fields["how_to_apply"]:
            q = p.fields["how_to_apply"][0]
            next_step = f"按原文办理：{q.text}[{_quote_ref(quotes, q)}]"
        elif channel is not None:
            next_step = (f"申请方式{NOT_STATED}；可向科学城管委会或政务服务热线咨询：{channel.text}"
                         f"[{_quote_ref(quotes, channel)}]")
        else:
            next_step = f"申请方式{NOT_STATED}，请向科学城管委会核实。"
        out.append(Match(p, score, met, unknown, next_step, quotes))
    out.sort(key=lambda m: -m.score)
    return prof, out[:limit]


def quote_dict(n: int, q: Quote) -> dict:
    return {"n": n, "doc_id": q.doc_id, "title": q.title, "section": q.section, "source": q.source,
            "version_date": q.version_date, "quote": q.text, "start": q.start, "end": q.end}


def programme_dict(p: Programme) -> dict:
    fields = {}
    for name, qs in p.fields.items():
        fields[name] = [{"text": q.text, "n": p.quotes.index(q) + 1} for q in qs] if qs else NOT_STATED
    return {"id": p.id, "name": p.name, "category": p.category, "category_label": _CATEGORY_LABEL.get(p.category, ""),
            "audience": p.audience, "fields": fields,
            "citations": [quote_dict(i, q) for i, q in enumerate(p.quotes, 1)]}


def match_dict(m: Match) -> dict:
    return {"programme": {"id": m.programme.id, "name": m.programme.name, "category": m.programme.category,
                          "category_label": _CATEGORY_LABEL.get(m.programme.category, "")},
            "met": m.met, "unknown": m.unknown, "next_step": m.next_step,
            "citations": [quote_dict(i, q) for i, q in enumerate(m.quotes, 1)]}
