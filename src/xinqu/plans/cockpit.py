"""The cockpit's plan tile: the year's plan as its tree page shows it at the month (lights,
overdue nodes), and for each red or overdue node the 存在问题 of its latest approved report."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqu.core.cockpit import Figure, Line, Scope, TileData
from xinqu.core.numbers import amount
from xinqu.plans import selectors
from xinqu.plans.models import Plan, Report, ReportLine

SHOWN = 8


def tile(user: Any, scope: Scope) -> TileData | None:
    plan = Plan.objects.filter(year=scope.year).first()
    if plan is None:
        return None
    rows = selectors.tree(plan, scope.month.month)
    url = f"{reverse('plans:tree', args=[plan.year])}?month={scope.month.month}"
    watch = f"{reverse('plans:watch', args=[plan.year])}?month={scope.month.month}"
    counts = {light: sum(1 for r in rows if r.light == light) for light in ("red", "yellow", "green")}
    late = [r for r in rows if r.light == "red" or r.overdue]
    problems: dict[int, str] = {}
    for node_id, text in (
        ReportLine.objects.filter(
            node_id__in=[r.node.pk for r in late],
            report__status=Report.Status.APPROVED,
            report__period__month__lte=scope.as_of,
        )
        .exclude(problems="")
        .order_by("node_id", "-report__period__month")
        .values_list("node_id", "problems")
    ):
        problems.setdefault(node_id, text)
    figures = [
        Figure(_("红灯"), counts["red"], light="red", url=watch, legend=True),
        Figure(_("黄灯"), counts["yellow"], light="yellow", url=url, legend=True),
        Figure(_("绿灯"), counts["green"], light="green", url=url, legend=True),
        Figure(_("逾期节点"), sum(1 for r in rows if r.overdue), url=watch),
    ]
    lines = [
        Line(
            label=f"{r.node.code} {r.node.title}",
            detail="；".join(
                part
                for part in (
                    _("已逾期") if r.overdue else "",
                    r.node.lead_department.name if r.node.lead_department else "",
                    _("存在问题：%(p)s") % {"p": problems[r.node.pk]} if r.node.pk in problems else "",
                )
                if part
            ),
            url=reverse("plans:node", args=[plan.year, r.node.pk]),
            light=r.light or ("red" if r.overdue else ""),
        )
        for r in late[:SHOWN]
    ]
    for figure in figures:
        figure.shown = figure.shown or amount(figure.value, figure.places)
    issues = [
        Line(
            label=f"{r.node.code} {r.node.title}",
            detail=problems[r.node.pk],
            url=reverse("plans:node", args=[plan.year, r.node.pk]),
            light=r.light or ("red" if r.overdue else ""),
        )
        for r in late
        if r.node.pk in problems
    ]
    return TileData(
        figures=figures,
        lines=lines,
        lines_title=_("红灯和逾期节点"),
        more=max(len(late) - SHOWN, 0),
        note=plan.title,
        issues=issues,
    )
