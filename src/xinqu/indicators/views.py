from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqu.core import jobs
from xinqu.core.access import (
    AuthedRequest,
    can_write,
    ensure_business,
    get_visible_or_404,
    head_of,
    is_department_member,
    is_head,
)
from xinqu.core.forms import add_service_errors
from xinqu.core.imports import template_workbook
from xinqu.core.models import OrgUnit
from xinqu.core.numbers import parse_number, parse_percent, plain
from xinqu.core.params import year_param
from xinqu.core.periods import current_period
from xinqu.core.selectors import tree_ordered_units
from xinqu.core.templatetags.xinqu import localized
from xinqu.core.xlsx import export_response, xlsx_response
from xinqu.indicators import exports, selectors, services
from xinqu.indicators.catalog import catalog_preload
from xinqu.indicators.checks import warning_text
from xinqu.indicators.forms import (
    ImportForm,
    IndicatorForm,
    PeerFigureForm,
    PeerImportForm,
    ReturnForm,
    TargetForm,
)
from xinqu.indicators.models import Indicator, Observation, PeerZone, Submission, Target
from xinqu.indicators.rules import formula_in_words


def default_period() -> dt.date:
    """The zone's reporting period (the latest month the statistics office closed): the same "as
    of" as every other page, whatever was approved last."""
    return current_period()


def _unit_and_period(request: AuthedRequest) -> tuple[list[OrgUnit], OrgUnit, dt.date]:
    """The org unit and month asked for (the zone and the latest month with data by default), and
    the units to choose from, in tree order. A malformed value falls back to the default."""
    units = tree_ordered_units()
    if not units:
        raise Http404(_("还没有建立新区的组织机构。"))
    by_id = {str(u.pk): u for u in units}
    unit = by_id.get(request.GET.get("unit", ""), units[0])
    try:
        period = dt.date.fromisoformat(f"{request.GET.get('period', '')[:7]}-01")
    except ValueError:
        period = default_period()
    return units, unit, period


def _unit_options(units: list[OrgUnit], chosen: OrgUnit) -> str:
    """The org-unit <option>s, indented by level. Built here rather than by a template loop: the
    overview page is benchmarked, and a hundred options cost more in the template engine."""
    language = get_language()
    indent = {"zone": "", "area": "\u2003", "park": "\u2003\u2003"}
    return format_html_join(
        "",
        '<option value="{}"{}>{}{}</option>',
        (
            (
                u.pk,
                mark_safe(" selected") if u.pk == chosen.pk else "",
                indent[u.kind],
                u.display_name(language),
            )
            for u in units
        ),
    )


def _ancestors(unit: OrgUnit, units: list[OrgUnit]) -> list[OrgUnit]:
    """The path from the zone down to ``unit``, from the units already loaded."""
    by_id = {u.pk: u for u in units}
    chain = [unit]
    while chain[0].parent_id in by_id:
        chain.insert(0, by_id[chain[0].parent_id])
    return chain


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    """Every indicator for one org unit and month: value, growth, target, completion, time
    progress, gap and light. Drills down from the zone to areas and parks."""
    ensure_business(request.user)
    try:
        units, unit, period = _unit_and_period(request)
    except Http404:  # no org units yet: say so rather than answer "not found"
        return render(request, "indicators/overview.html", {"unit": None})
    if request.GET.get("format") == "xlsx":
        rows = selectors.overview(user=request.user, unit=unit, period=period)
        return export_response(
            actor=request.user,
            filename=f"indicators-{unit.code}-{period:%Y-%m}.xlsx",
            content=exports.overview_workbook(rows, unit, period),
            object_type="indicators.overview",
        )
    key, seconds = selectors.cache_key("page", request.user, unit, period)
    context = {
        "unit_options": _unit_options(units, unit),
        "unit": unit,
        "period": period,
        # Computed only when the cached table is missing or out of date.
        "table": _LazyTable(request.user, unit, period),
        "cache_key": key,
        "cache_seconds": seconds,
        "ancestors": _ancestors(unit, units),
        "children": [u for u in units if u.parent_id == unit.pk],
        "query": f"unit={unit.pk}&period={period:%Y-%m}",
    }
    return render(request, "indicators/overview.html", context)


class _LazyTable:
    def __init__(self, user: Any, unit: OrgUnit, period: dt.date) -> None:
        self.user, self.unit, self.period = user, unit, period

    @cached_property
    def rows(self) -> list[selectors.Row]:
        return selectors.overview(user=self.user, unit=self.unit, period=self.period)

    @cached_property
    def counts(self) -> dict[str, int]:
        return {light: sum(1 for r in self.rows if r.light == light) for light in ("red", "yellow", "green")}


def _indicator(request: AuthedRequest, code: str) -> Indicator:
    return get_visible_or_404(request.user, Indicator.objects.select_related("department"), code=code)


@login_required
def detail(request: AuthedRequest, code: str) -> HttpResponse:
    """One indicator: the trend chart, and the org unit with its children ranked."""
    ensure_business(request.user)
    indicator = _indicator(request, code)
    units, unit, period = _unit_and_period(request)
    if not indicator.level_allows(unit.kind):
        unit = next(u for u in reversed(_ancestors(unit, units)) if indicator.level_allows(u.kind))
    total, children = selectors.breakdown(indicator=indicator, parent=unit, period=period)
    if request.GET.get("format") == "xlsx":
        return export_response(
            actor=request.user,
            filename=f"indicator-{indicator.code}-{unit.code}-{period:%Y-%m}.xlsx",
            content=exports.breakdown_workbook(indicator, total, children),
            object_type="indicators.breakdown",
        )
    revisions = []
    if total.period:
        observation = Observation.objects.filter(
            indicator=indicator, org_unit=unit, period=total.period
        ).first()
        if observation is not None:
            revisions = list(observation.revisions.select_related("replaced_by"))
    context = {
        "indicator": indicator,
        "unit_options": _unit_options([u for u in units if indicator.level_allows(u.kind)], unit),
        "unit": unit,
        "period": period,
        "total": total,
        "rows": children,
        "parts": selectors.parts_total(children) if indicator.additive else None,
        "ancestors": _ancestors(unit, units),
        "chart": selectors.trend(indicator=indicator, unit=unit, year=period.year),
        "rule": selectors.light_rule(indicator),
        "source": selectors.fed_source(indicator, period) if unit.kind == OrgUnit.Kind.ZONE else None,
        "revisions": revisions,
        "query": f"unit={unit.pk}&period={period:%Y-%m}",
        "can_edit": can_write(request.user, indicator),
    }
    return render(request, "indicators/detail.html", context)


@login_required
def benchmark(request: AuthedRequest, code: str) -> HttpResponse:
    """The zone among its peer zones for one indicator and year; heads and staff of the owning
    department record peer figures."""
    ensure_business(request.user)
    indicator = _indicator(request, code)
    years = selectors.benchmark_years(indicator)
    year = year_param(request, years[0] if years else default_period().year - 1)
    zone = OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).first()
    if zone is None:
        raise Http404
    editable = can_write(request.user, indicator)
    form = PeerFigureForm(request.POST or None, unit=indicator.unit, initial={"year": year})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("只有该指标的负责部门可以维护对标数据。"))
        if form.is_valid():
            try:
                services.peer_figure_set(
                    actor=request.user,
                    peer=form.cleaned_data["peer"],
                    indicator=indicator,
                    year=form.cleaned_data["year"],
                    value=form.cleaned_data["value"],
                    growth=form.cleaned_data["growth"],
                    note=form.cleaned_data["note"],
                    scope=form.cleaned_data["scope"],
                    source=form.cleaned_data["source"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存对标数据。"))
                return redirect(
                    f"{reverse('indicators:benchmark', args=[code])}?year={form.cleaned_data['year']}"
                )
    result = selectors.benchmark(indicator=indicator, year=year, zone=zone)
    if request.GET.get("format") == "xlsx":
        return export_response(
            actor=request.user,
            filename=f"benchmark-{indicator.code}-{year}.xlsx",
            content=exports.benchmark_workbook(indicator, year, result),
            object_type="indicators.benchmark",
        )
    context = {
        "indicator": indicator,
        "year": year,
        "years": years,
        "result": result,
        "form": form if editable else None,
        "peers": PeerZone.objects.count(),
    }
    return render(request, "indicators/benchmark.html", context)


# --- the catalog -------------------------------------------------------------------------------------


@login_required
def catalog(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    if request.method == "POST":
        try:
            added = catalog_preload(actor=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已载入 %(n)d 个标准指标。") % {"n": added})
        return redirect("indicators:catalog")
    indicators = list(Indicator.objects.visible_to(request.user).select_related("department"))
    if request.GET.get("format") == "xlsx":
        return export_response(
            actor=request.user,
            filename="indicator-catalog.xlsx",
            content=exports.catalog_workbook(indicators),
            object_type="indicators.Indicator",
        )
    language = get_language() or ""
    names = {i.code: localized(i, language) for i in indicators}
    for indicator in indicators:
        indicator.formula_words = formula_in_words(indicator.formula, names) if indicator.formula else ""  # type: ignore[attr-defined]
    context = {"indicators": indicators, "is_head": is_head(request.user)}
    return render(request, "indicators/catalog.html", context)


@login_required
def indicator_edit(request: AuthedRequest, code: str | None = None) -> HttpResponse:
    ensure_business(request.user)
    indicator = _indicator(request, code) if code else None
    if not is_head(request.user) or (indicator is not None and not can_write(request.user, indicator)):
        raise PermissionDenied(_("只有负责该指标的部门负责人可以维护指标目录。"))
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.indicator_save(
                actor=request.user, indicator=indicator, **{k: form.cleaned_data[k] for k in form.Meta.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存指标“%(name)s”。") % {"name": saved.name})
            return redirect("indicators:catalog")
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


# --- returns: the entry grid, submission and approval --------------------------------------------------


@login_required
def returns(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    submissions = (
        Submission.objects.visible_to(request.user)
        .select_related("department", "submitted_by", "reviewed_by")
        .order_by("-period", "-id")[:200]
    )
    context = {
        "submissions": submissions,
        "can_enter": is_department_member(request.user),
        "latest": f"{services.latest_closed_period():%Y-%m}",
    }
    return render(request, "indicators/returns.html", context)


def _grid_units(indicators: list[Indicator]) -> list[OrgUnit]:
    deepest = max((i.lowest_level for i in indicators), key=["zone", "area", "park"].index, default="zone")
    kinds = {"zone": {"zone"}, "area": {"zone", "area"}, "park": {"zone", "area", "park"}}[deepest]
    return [u for u in tree_ordered_units() if u.kind in kinds]


@login_required
def entry(request: AuthedRequest, period: str) -> HttpResponse:
    """The department's grid for one month: its indicators × org units, with 累计, 本月 and 同比增长%
    per row. A block copied from Excel pastes into it as it is laid out there."""
    ensure_business(request.user)
    try:
        department_id = services.ensure_department_member(request.user)
        month = services.check_period(dt.date.fromisoformat(f"{period}-01"))
    except ValueError:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:returns")
    indicators = [
        i
        for i in Indicator.objects.filter(department_id=department_id, is_active=True, formula="", feed="")
        if i.is_due(month.month)
    ]
    units = _grid_units(indicators)
    submission = services.submission_for(actor=request.user, period=month, create=False)
    stored = {(v.indicator_id, v.org_unit_id): v for v in submission.values.all()} if submission else {}
    editable = submission is None or submission.is_editable
    rows, errors = [], 0
    values, clear = [], []
    for indicator in indicators:
        for unit in units:
            if not indicator.level_allows(unit.kind):
                continue
            key = f"{indicator.pk}-{unit.pk}"
            current = stored.get((indicator.pk, unit.pk))
            row: dict[str, Any] = {
                "indicator": indicator,
                "unit": unit,
                "key": key,
                "stored": current,
                "error": "",
            }
            if request.method == "POST" and editable:
                raw = {f: request.POST.get(f"{f}-{key}", "").strip() for f in ("ytd", "single", "growth")}
                row["raw"] = raw
                try:
                    ytd = parse_number(raw["ytd"], indicator.unit)
                    single = parse_number(raw["single"], indicator.unit)
                    growth = parse_percent(raw["growth"])
                except ValueError as exc:
                    row["error"] = str(exc)
                    errors += 1
                else:
                    if ytd is None and single is None and growth is None:
                        clear.append((indicator.pk, unit.pk))
                    else:
                        values.append(services.ValueInput(indicator, unit, ytd, single, growth))
            else:
                row["raw"] = {
                    "ytd": plain(current.ytd_value) if current else "",
                    "single": plain(current.period_value) if current else "",
                    "growth": plain(current.growth) if current else "",
                }
            if current and current.warnings:
                row["warnings"] = [warning_text(w) for w in current.warnings]
            rows.append(row)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("这份填报已上报，不能再修改。"))
        if errors:
            messages.error(
                request, _("有 %(n)d 处填写有误，未保存任何数值。请改正标红的单元格。") % {"n": errors}
            )
        else:
            try:
                submission = submission or services.submission_for(actor=request.user, period=month)
                assert submission is not None
                services.submission_values_save(
                    actor=request.user, submission=submission, values=values, clear=clear
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已保存。"))
                return redirect("indicators:return", submission.pk)
    context = {"period": month, "rows": rows, "submission": submission, "editable": editable, "units": units}
    return render(request, "indicators/entry.html", context)


@login_required
def return_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ensure_business(request.user)
    submission = get_visible_or_404(request.user, Submission.objects.select_related("department"), pk=pk)
    values = list(submission.values.select_related("indicator", "org_unit", "confirmed_by"))
    if request.GET.get("format") == "xlsx":
        return export_response(
            actor=request.user,
            filename=f"return-{submission.period:%Y-%m}-{submission.pk}.xlsx",
            content=exports.return_workbook(submission, values),
            object_type="indicators.Submission",
        )
    for value in values:
        value.warning_texts = [warning_text(w) for w in value.warnings]  # type: ignore[attr-defined]
    context = {
        "submission": submission,
        "values": values,
        "warned": sum(1 for v in values if v.warnings),
        "warnings": sum(len(v.warnings) for v in values),
        "is_head": head_of(request.user, submission.department_id),
        "can_write": can_write(request.user, submission),
        "return_form": ReturnForm(),
    }
    return render(request, "indicators/return.html", context)


@require_POST
@login_required
def return_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    ensure_business(request.user)
    submission = get_visible_or_404(request.user, Submission.objects.all(), pk=pk)
    try:
        if action == "submit":
            services.submission_submit(
                actor=request.user, submission=submission, confirm_warnings=request.POST.get("confirm") == "1"
            )
            messages.success(request, _("已上报，等待部门负责人审核。"))
        elif action == "approve":
            count = services.submission_approve(actor=request.user, submission=submission)
            messages.success(request, _("已审核通过，%(n)d 个数值已进入指标库。") % {"n": count})
        elif action == "return":
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            services.submission_return(actor=request.user, submission=submission, reason=reason)
            messages.success(request, _("已退回。"))
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("indicators:return", submission.pk)


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    ensure_business(request.user)
    services.ensure_department_member(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        period, unit = form.cleaned_data["period"], form.cleaned_data["org_unit"]
        options = {"period": f"{period:%Y-%m}" if period else None, "org_unit": unit.pk if unit else None}
        try:
            job = jobs.import_job_start(
                actor=request.user, kind="indicator_values", upload=form.cleaned_data["file"], options=options
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    return render(request, "indicators/import.html", {"form": form})


@login_required
def benchmark_import(request: AuthedRequest, code: str) -> HttpResponse:
    """Peer zones' figures from .xlsx (新区, 年度, 总量, 增速, 统计范围, 来源, 说明): a dry run first,
    then all rows or none. The owning department only."""
    ensure_business(request.user)
    indicator = _indicator(request, code)
    if not can_write(request.user, indicator):
        raise PermissionDenied(_("只有该指标的负责部门可以维护对标数据。"))
    form = PeerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_start(
                actor=request.user,
                kind="peer_figures",
                upload=form.cleaned_data["file"],
                options={"indicator": indicator.code},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_job", job.pk)
    return render(request, "indicators/peer_import.html", {"form": form, "indicator": indicator})


@login_required
def benchmark_template(request: AuthedRequest, code: str) -> HttpResponse:
    ensure_business(request.user)
    _indicator(request, code)
    spec = jobs.IMPORT_KINDS["peer_figures"]
    return xlsx_response("template-peer-figures.xlsx", template_workbook(str(spec.label), spec.columns))


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    spec = jobs.IMPORT_KINDS["indicator_values"]
    return xlsx_response("template-indicator-values.xlsx", template_workbook(str(spec.label), spec.columns))


# --- targets -------------------------------------------------------------------------------------------


@dataclass
class _TargetRow:
    indicator: Indicator
    unit: OrgUnit
    target: Target | None
    editable: bool
    raw: dict[str, str] | None = None
    error: str = ""


@login_required
def targets(request: AuthedRequest) -> HttpResponse:
    """The year's targets: every indicator × zone and areas (parks on request), as a grid the
    owning department edits in place."""
    ensure_business(request.user)
    year = year_param(request, default_period().year)
    indicators = list(selectors.visible_indicators(request.user))
    units = [u for u in tree_ordered_units() if u.kind != OrgUnit.Kind.PARK or request.GET.get("parks")]
    stored = {
        (t.indicator_id, t.org_unit_id): t
        for t in Target.objects.filter(year=year, indicator__in=indicators, org_unit__in=units)
    }
    rows = [
        _TargetRow(indicator, unit, stored.get((indicator.pk, unit.pk)), can_write(request.user, indicator))
        for indicator in indicators
        for unit in units
        if indicator.level_allows(unit.kind)
    ]
    if request.GET.get("format") == "xlsx":
        return export_response(
            actor=request.user,
            filename=f"indicator-targets-{year}.xlsx",
            content=exports.targets_workbook(year, rows),
            object_type="indicators.Target",
        )
    if request.method == "POST":
        changes: list[tuple[Indicator, OrgUnit, Decimal | None, Decimal | None, list[Any]]] = []
        errors = 0
        for row in rows:
            key = f"{row.indicator.pk}-{row.unit.pk}"
            if not row.editable or f"value-{key}" not in request.POST:
                continue
            row.raw = {
                "value": request.POST.get(f"value-{key}", ""),
                "growth": request.POST.get(f"growth-{key}", ""),
            }
            try:
                value = parse_number(row.raw["value"], row.indicator.unit)
                growth = parse_percent(row.raw["growth"])
            except ValueError as exc:
                row.error = str(exc)
                errors += 1
                continue
            target = row.target
            if (target.value if target else None, target.growth if target else None) != (value, growth):
                changes.append((row.indicator, row.unit, value, growth, target.phasing if target else []))
        if errors:
            messages.error(request, _("有 %(n)d 处填写有误，未保存任何目标。") % {"n": errors})
        else:
            try:
                services.targets_set(actor=request.user, year=year, items=changes)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已保存 %(n)d 个目标。") % {"n": len(changes)})
                parks = "&parks=1" if request.GET.get("parks") else ""
                return redirect(f"{reverse('indicators:targets')}?year={year}{parks}")
    context = {
        "year": year,
        "rows": rows,
        "parks": bool(request.GET.get("parks")),
        "any_editable": any(r.editable for r in rows),
    }
    return render(request, "indicators/targets.html", context)


@login_required
def target_edit(request: AuthedRequest, code: str, unit_id: int, year: int) -> HttpResponse:
    """One target with its monthly phasing."""
    ensure_business(request.user)
    indicator = _indicator(request, code)
    if not can_write(request.user, indicator):
        raise PermissionDenied(_("只有该指标的负责部门可以设定目标。"))
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    target = Target.objects.filter(indicator=indicator, org_unit=unit, year=year).first()
    initial = {}
    if target is not None:
        initial = {
            "value": plain(target.value),
            "growth": plain(target.growth),
            "phasing": ", ".join(f"{p:g}" for p in target.phasing),
        }
    form = TargetForm(request.POST or None, unit=indicator.unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(
                actor=request.user,
                indicator=indicator,
                org_unit=unit,
                year=year,
                value=form.cleaned_data["value"],
                growth=form.cleaned_data["growth"],
                phasing=form.cleaned_data["phasing"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存目标。"))
            return redirect(f"{reverse('indicators:targets')}?year={year}")
    context = {"form": form, "indicator": indicator, "unit": unit, "year": year}
    return render(request, "indicators/target_form.html", context)
