"""`xinqu remind` for closed-loop items: the handling department hears when an item is due (the
day before and on the day), and an overdue item goes under supervision (督办) by the kind's
escalation rules, which the leaders and the department head hear about. Each notice is sent once."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from xinqu.core.access import is_head
from xinqu.core.models import User
from xinqu.core.phrases import Phrase
from xinqu.core.roles import DEPARTMENT_ROLES, Role
from xinqu.core.services import notify
from xinqu.core.workdays import calendar
from xinqu.workflow import engine
from xinqu.workflow.models import EscalationRule, Item


def _url(item: Item) -> str:
    kind = engine.KINDS.get(item.kind)
    return reverse(kind.detail_url, args=[item.number]) if kind and kind.detail_url else ""


def remind_items(dry_run: bool) -> int:
    today = timezone.localdate()
    cal = calendar()
    rules: dict[str, list[EscalationRule]] = {}
    for rule in EscalationRule.objects.order_by("-overdue_days"):
        rules.setdefault(rule.kind, []).append(rule)
    closed = [state for kind in engine.KINDS.values() for state in kind.closed]
    open_items = Item.objects.filter(
        paused_since__isnull=True, due_on__isnull=False, closed_at__isnull=True
    ).exclude(state__in=closed)
    soon = cal.add(today, 1)
    sent = 0
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True))
    for item in open_items.filter(due_on__lte=soon).select_related("department").iterator(chunk_size=500):
        assert item.due_on is not None
        late = cal.between(item.due_on, today)
        staff = (
            list(
                User.objects.filter(
                    Q(department_id=item.department_id), role__in=DEPARTMENT_ROLES, is_active=True
                )
            )
            if item.department_id
            else []
        )
        if dry_run:
            sent += 1
            continue
        with override("zh-hans"):
            if late <= 0:
                for user in staff:
                    sent += notify(
                        user=user,
                        key=f"due-{item.pk}-{item.due_on}",
                        title=Phrase(
                            gettext_noop("%(number)s 将于 %(date)s 到期"),
                            number=item.number,
                            date=item.due_on,
                        ),
                        body=item.title,
                        url=_url(item),
                    )
                continue
            level = next((r.level for r in rules.get(item.kind, []) if late >= r.overdue_days), 0)
            if level and engine.escalate(
                item=item, level=level, reason=_("逾期 %(n)d 个工作日") % {"n": late}
            ):
                heads = [u for u in staff if is_head(u)]
                for user in [*leaders, *heads]:
                    sent += notify(
                        user=user,
                        key=f"supervise-{item.pk}-{level}",
                        title=Phrase(
                            gettext_noop("%(number)s 逾期 %(n)d 个工作日，已转 %(level)d 级督办"),
                            number=item.number,
                            n=late,
                            level=level,
                        ),
                        body=item.title,
                        url=_url(item),
                    )
    return sent
