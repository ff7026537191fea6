from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqu.core import jobs, numbers
from xinqu.core.access import AuthedRequest, ensure_business, is_department_member, is_leader, shown_name
from xinqu.core.forms import add_service_errors
from xinqu.core.imports import template_workbook
from xinqu.core.models import Department
from xinqu.core.numbers import parse_number
from xinqu.core.params import year_param
from xinqu.core.xlsx import export_response, workbook_bytes, xlsx_response
from xinqu.enterprises.models import IndustryNode
from xinqu.enterprises.selectors import enterprise_by_code_or_name
from xinqu.investment import selectors, services
from xinqu.investment.forms import (
    ActivityForm,
    DocumentForm,
    FalseReportForm,
    ImportForm,
    LandForm,
    LeadForm,
    MoveForm,
    PaymentForm,
    RateForm,
    ReferrerForm,
    ScoreRuleForm,
    StopForm,
    TargetForm,
)
from xinqu.investment.models import (
    Currency,
    Document,
    DocumentKind,
    ExchangeRate,
    Lead,
    LeadRule,
    Origin,
    Payment,
    Referrer,
)
from xinqu.investment.rules import MOVES, ORDER, reached

EXPORT_HEADERS = [
    _("线索编号"),
    _("项目名称"),
    _("目标企业"),
    _("资金来源地"),
    _("线索来源"),
    _("高科技人才产业项目"),
    _("阶段"),
    _("接洽日期"),
    _("考察日期"),
    _("洽谈日期"),
    _("意向投资（万元）"),
    _("签约日期"),
    _("合同投资额（万元）"),
    _("落地日期"),
    _("招商团队"),
    _("招商专员"),
]

# What the lead list reads of each row (stage_of reads the project's two dates).
LIST_COLUMNS = (
    "code",
    "name",
    "confidential",
    "company",
    "source",
    "stage",
    "contract_cny",
    "amount_cny",
    "last_activity_on",
    "department__name",
    "officer__full_name",
    "officer__username",
    "project__started_on",
    "project__operating_on",
)


@login_required
def lead_list(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    found = selectors.filtered(request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return _export(request, found)
    # Only the columns the table shows: the whole rows of a lead and its three links took as
    # long to read as the count of a team's open leads.
    shown = found.select_related(None).select_related("department", "officer", "project").only(*LIST_COLUMNS)
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    # The rows as the table shows them: each choice's label read once, not once a row.
    stages, sources = dict(Lead.Stage.choices), dict(Lead.Source.choices)
    detail = reverse("investment:detail", args=[0]).removesuffix("0/")
    rows: list[dict[str, Any]] = [
        {
            "url": f"{detail}{lead.pk}/",
            "code": lead.code,
            "name": lead.name,
            "confidential": lead.confidential,
            "company": lead.company,
            "source": sources.get(lead.source, ""),
            "stage": stages.get(selectors.stage_of(lead), ""),
            "amount": numbers.amount(
                lead.contract_cny if lead.contract_cny is not None else lead.amount_cny, 0
            ),
            "department": lead.department.name,
            "officer": lead.officer.display_name if lead.officer else "–",
            "last_activity_on": lead.last_activity_on.isoformat() if lead.last_activity_on else "–",
        }
        for lead in page.object_list
    ]
    page.object_list = rows  # type: ignore[assignment]  # the rows as the table shows them
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "params": request.GET,
        "query": query.urlencode(),
        "stages": Lead.Stage.choices,
        "sources": Lead.Source.choices,
        "origins": Origin.choices,
        "departments": Department.objects.filter(is_active=True) if is_leader(request.user) else [],
        "flags": [
            ("stale", _("久未跟进")),
            ("late_landing", _("未按期落地")),
            ("late_start", _("未按期开工")),
        ],
        "can_add": is_department_member(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "investment/list.html", context)


def _export(request: AuthedRequest, found: Any) -> HttpResponse:
    stages = dict(Lead.Stage.choices)
    rows = (
        [
            lead.code,
            lead.name,
            lead.company,
            str(lead.get_origin_display()),
            str(lead.get_source_display()),
            str(_("是")) if lead.talent_project else "",
            str(stages.get(selectors.stage_of(lead), "")),
            *_step_days(lead),
            float(lead.amount_cny),
            lead.signed_on,
            float(lead.contract_cny) if lead.contract_cny is not None else None,
            lead.landed_on,
            lead.department.name,
            lead.officer.display_name if lead.officer else "",
        ]
        for lead in found.prefetch_related("steps").iterator(chunk_size=1000)
    )
    content = workbook_bytes(str(_("招商线索")), [str(h) for h in EXPORT_HEADERS], rows)
    return export_response(
        actor=request.user, filename="leads.xlsx", content=content, object_type="investment"
    )


def _step_days(lead: Lead) -> list[dt.date | None]:
    days = {step.stage: step.on for step in lead.steps.all()}
    return [days.get(stage) for stage in (Lead.Stage.CONTACT, Lead.Stage.INSPECT, Lead.Stage.NEGOTIATE)]


def _referring(form: LeadForm, user: Any, lead: Lead | None) -> Any:
    text = (form.cleaned_data.get("referring_enterprise") or "").strip()
    if not text:
        # Left empty where the editor was never shown it, the link stays as it was.
        if (
            lead is not None
            and lead.referring_enterprise
            and not shown_name(user, lead.referring_enterprise).visible
        ):
            return lead.referring_enterprise
        return None
    found = enterprise_by_code_or_name(user, text)
    if found is None:
        raise ValidationError(
            {"referring_enterprise": _("企业名录中没有这家企业：请输入名称或信用代码后从列表中选择。")}
        )
    return found


@login_required
def lead_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    ensure_business(request.user)
    lead = selectors.lead_for(request.user, pk) if pk else None
    if lead is not None:
        services.ensure_team(request.user, lead)
    elif not is_department_member(request.user):
        raise PermissionDenied(_("只有部门工作人员可以登记招商线索。"))
    # The referring enterprise is named only to an editor who may see it.
    referring = shown_name(request.user, lead.referring_enterprise if lead else None)
    initial = {"referring_enterprise": referring.name if referring.visible else ""}
    form = LeadForm(request.POST or None, instance=lead, initial=initial, team_id=request.user.department_id)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "referring_enterprise"}
        try:
            data["referring_enterprise"] = _referring(form, request.user, lead)
            if lead is None:
                saved = services.lead_create(actor=request.user, **data)
            else:
                saved = services.lead_update(actor=request.user, lead=lead, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已保存线索 %(code)s。下一步：记录跟进，上传考察记录后推进到“考察”。")
                % {"code": saved.code}
                if lead is None
                else _("已保存线索 %(code)s。") % {"code": saved.code},
            )
            return redirect("investment:detail", saved.pk)
    return render(request, "investment/edit.html", {"form": form, "lead": lead})


ACTIONS = ("move", "stop", "resume", "document", "activity", "payment", "land")


@login_required
def lead_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A lead's page: its record and stages, gate documents, activities, contract and paid-in
    capital, and once landed its enterprise and project. Each form posts back here."""
    ensure_business(request.user)
    user = request.user
    lead = selectors.lead_for(user, pk)
    can_edit = is_department_member(user) and lead.department_id == user.department_id
    chosen = request.POST.get("form") if request.method == "POST" else None
    today = timezone.localdate()
    upcoming = next((s for s in MOVES if reached(s) > reached(lead.stage)), MOVES[-1])
    bound = (request.POST, request.FILES) if chosen else (None, None)

    def pick(name: str) -> tuple[Any, Any]:
        return bound if chosen == name else (None, None)

    forms: dict[str, Any] = {
        "move": MoveForm(pick("move")[0], initial={"on": today, "stage": upcoming}),
        "stop": StopForm(pick("stop")[0]),
        "document": DocumentForm(*pick("document")),
        "activity": ActivityForm(pick("activity")[0], initial={"on": today}),
        "payment": PaymentForm(
            *pick("payment"), initial={"on": today, "currency": lead.currency, "origin": lead.origin}
        ),
        "land": LandForm(pick("land")[0], initial={"on": today, "credit_code": lead.credit_code}),
    }
    if chosen == "false_report":
        # A leader's finding, not the team's action.
        false_form = FalseReportForm(request.POST)
        withdraw = request.POST.get("withdraw") == "1"
        if withdraw or false_form.is_valid():
            try:
                services.lead_flag_false(
                    actor=user,
                    lead=lead,
                    reason="" if withdraw else false_form.cleaned_data["reason"],
                    false_report=not withdraw,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("已撤销虚报认定。") if withdraw else _("已认定虚报；该团队年度考核将按规则扣分。"),
                )
        else:
            messages.error(request, _("请写明认定虚报的依据。"))
        return redirect("investment:detail", pk)
    if chosen:
        if chosen not in ACTIONS:
            raise PermissionDenied
        services.ensure_team(user, lead)
        if chosen == "resume":
            try:
                services.lead_resume(actor=user, lead=lead)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("已恢复推进。"))
            return redirect("investment:detail", pk)
        form = forms[chosen]
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                message = _act(user, lead, chosen, data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("investment:detail", pk)
    lead = selectors.lead_for(user, pk)
    steps = {s.stage: s for s in lead.steps.all()}
    pipeline = [
        {
            "stage": s,
            "label": Lead.Stage(s).label,
            "on": _stage_day(lead, s, steps),
            "current": s == selectors.stage_of(lead),
        }
        for s in ORDER
    ]
    payments = list(lead.payments.all())
    paid = sum((p.amount_cny for p in payments), start=type(lead.amount_cny)(0))
    context = {
        "lead": lead,
        "can_edit": can_edit,
        "forms": forms,
        "chosen": chosen,
        "pipeline": pipeline,
        "missing": services.missing_documents(lead, upcoming)
        if reached(lead.stage) < reached("signed")
        else [],
        "upcoming": Lead.Stage(upcoming).label,
        "owed": services.documents_owed(lead),
        "documents": lead.documents.all(),
        "activities": lead.activities.select_related("by")[:50],
        "payments": payments,
        "paid": paid,
        "remaining": (lead.contract_cny - paid) if lead.contract_cny is not None else None,
        "flags": [
            label
            for name, label in _flag_labels()
            if Lead.objects.filter(pk=lead.pk).filter(selectors.FLAGS[name](today)).exists()
        ],
        "stopped": lead.stage in ("paused", "lost"),
        "enterprise_shown": shown_name(user, lead.enterprise),
        "referring_shown": shown_name(user, lead.referring_enterprise),
        "can_flag": is_leader(user),
        "false_form": FalseReportForm(),
    }
    return render(request, "investment/detail.html", context)


def _flag_labels() -> list[tuple[str, str]]:
    return [("stale", _("久未跟进")), ("late_landing", _("未按期落地")), ("late_start", _("未按期开工"))]


def _stage_day(lead: Lead, stage: str, steps: dict[str, Any]) -> Any:
    if stage == "started":
        return lead.project.started_on if lead.project else None
    if stage == "operating":
        return lead.project.operating_on if lead.project else None
    return steps[stage].on if stage in steps else None


def _act(user: Any, lead: Lead, chosen: str, data: dict[str, Any]) -> str:
    if chosen == "move":
        moved = services.lead_move(actor=user, lead=lead, **data)
        return _("已推进到“%(stage)s”。") % {"stage": Lead.Stage(moved.stage).label}
    if chosen == "stop":
        stopped = services.lead_stop(actor=user, lead=lead, **data)
        return _("线索已%(stage)s；可随时恢复推进。") % {"stage": Lead.Stage(stopped.stage).label}
    if chosen == "document":
        saved = services.document_add(actor=user, lead=lead, kind=data["kind"], files=data["upload"])
        return _("已上传 %(n)d 个文件。") % {"n": len(saved)}
    if chosen == "activity":
        services.activity_add(actor=user, lead=lead, **data)
        return _("已记录跟进。")
    if chosen == "payment":
        payment = services.payment_add(actor=user, lead=lead, **data)
        return _("已登记到位资金 %(amount)s 万元。") % {"amount": f"{payment.amount_cny:,.2f}"}
    landed = services.lead_land(actor=user, lead=lead, **data)
    return _("已落地：企业已入名录，项目 %(code)s 已进入项目台账。下一步由项目台账跟踪开工。") % {
        "code": landed.project.code if landed.project else ""
    }


@login_required
def document(request: AuthedRequest, pk: int, doc: int) -> FileResponse:
    ensure_business(request.user)
    lead = selectors.lead_for(request.user, pk)
    found = get_object_or_404(Document, pk=doc, lead=lead)
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


@login_required
def proof(request: AuthedRequest, pk: int, payment: int) -> FileResponse:
    ensure_business(request.user)
    lead = selectors.lead_for(request.user, pk)
    found = get_object_or_404(Payment, pk=payment, lead=lead)
    if not found.proof:
        raise PermissionDenied
    return FileResponse(found.proof.open("rb"), as_attachment=True, filename=found.proof_name or "proof")


@login_required
def funnel(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    year = year_param(request, timezone.localdate().year)
    by = request.GET.get("by") or ""
    result = selectors.funnel(request.user, year, by if by in selectors.BY else "")
    labels = _group_labels(by)
    for group in result["groups"]:
        group["label"] = labels.get(group["key"], group["key"]) if by else _("全部")
    as_of = min(timezone.localdate(), timezone.localdate().replace(year=year, month=12, day=31))
    visible = Lead.objects.visible_to(request.user)
    context = {
        "result": result,
        "year": year,
        "by": by,
        "bys": [
            ("", _("不分组")),
            ("department", _("按团队")),
            ("source", _("按来源")),
            ("origin", _("按来源地")),
            ("chain", _("按产业链")),
            ("month", _("按月份")),
        ],
        # In 亿元, as the figure register gives it (investment.paid_in_domestic).
        "paid_domestic": (selectors.paid_in(visible, year, as_of, foreign=False) / 10_000).quantize(
            Decimal("0.01")
        ),
        "paid_foreign": selectors.paid_in(visible, year, as_of, foreign=True),
        "median_days": [(Lead.Stage(s).label, d) for s, d in result["median_days"].items()],
        "chart": {
            "categories": [str(Lead.Stage(s).label) for s in ORDER],
            "unit": str(_("条")),
            "series": [
                {
                    "name": str(_("到达本阶段的线索")),
                    "data": [sum(g["cells"][i]["n"] for g in result["groups"]) for i in range(len(ORDER))],
                }
            ],
        },
    }
    return render(request, "investment/funnel.html", context)


def _group_labels(by: str) -> dict[Any, str]:
    if by == "department":
        return {d.pk: d.name for d in Department.objects.all()}
    if by == "source":
        return {k: str(v) for k, v in Lead.Source.choices}
    if by == "origin":
        return {k: str(v) for k, v in Origin.choices}
    if by == "month":
        return {m: _("%(m)d 月") % {"m": m} for m in range(1, 13)}
    return {None: _("未标注产业链")}


@login_required
def referrers(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Agencies and ambassadors: their plaques and obligations, the leads each brought this year
    and how many signed. The investment bureau keeps the list."""
    ensure_business(request.user)
    instance = get_object_or_404(Referrer, pk=pk) if pk else None
    form = ReferrerForm(request.POST or None, instance=instance)
    can_edit = services.is_bureau(request.user)
    if request.method == "POST":
        services.ensure_bureau(request.user)
        if form.is_valid():
            try:
                saved = services.referrer_save(actor=request.user, referrer=instance, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存“%(name)s”。") % {"name": saved.name})
                return redirect("investment:referrers")
    year = year_param(request, timezone.localdate().year)
    rows = selectors.referrer_rows(year)
    return render(
        request,
        "investment/referrers.html",
        {
            "rows": rows,
            "form": form,
            "can_edit": can_edit,
            "year": year,
            "editing": instance,
            "rule": services.lead_rule(),
        },
    )


@login_required
def rates(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        services.ensure_bureau(request.user)
        if form.is_valid():
            try:
                saved = services.rate_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已保存 %(day)s 的%(currency)s汇率。")
                    % {"day": saved.on.isoformat(), "currency": Currency(saved.currency).label},
                )
                return redirect("investment:rates")
    page = Paginator(ExchangeRate.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "investment/rates.html",
        {"page": page, "form": form, "can_edit": services.is_bureau(request.user)},
    )


@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    """The zone's rules: which documents each stage needs, and when a lead is stale."""
    ensure_business(request.user)
    stages = [*MOVES, Lead.Stage.LANDED]
    if request.method == "POST":
        services.ensure_bureau(request.user)
        pairs = [tuple(v.split(":", 1)) for v in request.POST.getlist("gate") if ":" in v]
        try:
            days = int(request.POST.get("stale_days") or 0)
        except ValueError:
            days = 0
        rewards = {}
        for name in ("reward_below_10", "reward_10_20", "reward_above_20", "reward_cap"):
            if name in request.POST:
                rewards[name] = parse_number(request.POST.get(name))
        try:
            services.rules_save(actor=request.user, gates=pairs, stale_days=days, **rewards)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存。今后推进线索按新的准入材料检查。"))
            return redirect("investment:settings")
    have = selectors.gate_pairs()
    rule = services.lead_rule()
    grid = [
        {
            "stage": stage,
            "label": Lead.Stage(stage).label,
            "cells": [(kind, label, (stage, kind) in have) for kind, label in DocumentKind.choices],
        }
        for stage in stages
    ]
    context = {
        "grid": grid,
        "documents": DocumentKind.choices,
        "stale_days": selectors.stale_days(),
        "can_edit": services.is_bureau(request.user),
        "reward_fields": [
            (name, getattr(LeadRule._meta.get_field(name), "verbose_name", name), getattr(rule, name))
            for name in ("reward_below_10", "reward_10_20", "reward_above_20", "reward_cap")
        ],
    }
    return render(request, "investment/settings.html", context)


@login_required
def lead_import(request: AuthedRequest) -> HttpResponse:
    """An existing 招商台账 from a workbook: a dry run first, then all rows or none."""
    ensure_business(request.user)
    if not is_department_member(request.user):
        raise PermissionDenied(_("只有部门工作人员可以登记招商线索。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_start(
                actor=request.user, kind="investment_leads", upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    return render(request, "investment/import.html", {"form": form})


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    spec = jobs.IMPORT_KINDS["investment_leads"]
    return xlsx_response("template-investment-leads.xlsx", template_workbook(str(spec.label), spec.columns))


@login_required
def chain_map(request: AuthedRequest) -> HttpResponse:
    """招商地图: a chain's nodes with their enterprises and open leads, and the zone's nodes with
    neither, ranked by the chain leaders around them."""
    ensure_business(request.user)
    chains = list(IndustryNode.objects.filter(kind=IndustryNode.Kind.CHAIN).select_related("parent"))
    raw = request.GET.get("chain") or ""
    chain = next((c for c in chains if str(c.pk) == raw), chains[0] if chains else None)
    context = {
        "chains": chains,
        "chain": chain,
        "segments": selectors.chain_targets(chain, request.user) if chain else [],
        "gaps": selectors.gap_nodes(),
    }
    return render(request, "investment/map.html", context)


@login_required
def score(request: AuthedRequest) -> HttpResponse:
    """The year's signings against target with the months ahead forecast, and each team's score
    by the zone's rule, shown with its formula. The bureau sets the targets and the rule."""
    ensure_business(request.user)
    year = year_param(request, timezone.localdate().year)
    chosen = request.POST.get("form") if request.method == "POST" else None
    target_form = TargetForm(request.POST if chosen == "target" else None)
    rule_form = ScoreRuleForm(request.POST if chosen == "rule" else None, instance=services.score_rule())
    if chosen:
        services.ensure_bureau(request.user)
        form = target_form if chosen == "target" else rule_form
        if form.is_valid():
            try:
                if chosen == "target":
                    services.target_save(actor=request.user, year=year, **form.cleaned_data)
                else:
                    services.score_rule_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存，得分已按新的数据重新计算。"))
                return redirect(f"{request.path}?year={year}")
    forecast = selectors.signing_forecast(request.user, year)
    scores = selectors.team_scores(year)
    rule = scores["rule"]
    formula = _(
        "得分 = 3–10 亿元签约 × %(a)s + 10–20 亿元签约 × %(b)s + 20 亿元以上签约 × %(c)s + 到位资金（亿元）× %(d)s"
        " − 未按期开工 × %(e)s − 认定虚报 × %(f)s"
    ) % {
        "a": rule.band_3_10,
        "b": rule.band_10_20,
        "c": rule.band_20,
        "d": rule.paid_in,
        "e": rule.late_start,
        "f": rule.false_report,
    }
    chart = {
        "categories": [f"{m['month']}" for m in forecast["months"]],
        "unit": str(_("个")),
        "series": [
            {"name": str(_("已签约")), "data": [m["signed"] for m in forecast["months"]]},
            {
                "name": str(_("预计签约（按阶段概率）")),
                "data": [float(m["expected"]) for m in forecast["months"]],
            },
        ],
    }
    context = {
        "year": year,
        "forecast": forecast,
        "scores": scores,
        "formula": formula,
        "chart": chart,
        "target_form": target_form,
        "rule_form": rule_form,
        "can_edit": services.is_bureau(request.user),
    }
    return render(request, "investment/score.html", context)
