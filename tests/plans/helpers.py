"""Helpers shared by the plans tests."""

from __future__ import annotations

import datetime as dt

from xinqu.plans import selectors, services

YEAR = 2024


def _node(plan, code):
    return plan.nodes.get(code=code)


def _lines(plan, department, value="", progress="进展顺利"):
    return {
        n.pk: {
            "value": value if n.kind == "kpi" else "",
            "progress": progress,
            "problems": "",
            "next_steps": "",
        }
        for n in services.reported_nodes(plan, department.pk)
    }


def _status(plan, month, code):
    return next(s for s in selectors.tree(plan, month) if s.node.code == code)


def _approve(plan, month, department, staff, head, value):
    period = plan.periods.get(month=dt.date(YEAR, month, 1))
    report = services.report_save(
        actor=staff, period=period, lines=_lines(plan, department, value=value), submit=True
    )
    return services.report_approve(actor=head, report=report)
