"""Demo service requests: XINQU_DEMO_REQUESTS (400) requests from registry enterprises, filed from
January 2023 to the demo's day and taken through the real workflow (so every timeline, deadline
and rating is one the engine could have produced). Those filed long ago are closed and rated (a
few rejected, reopened or late); those still open were filed in the last days or weeks, as far
along as their age allows, so that only a few are overdue."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinqu.core.models import Notification, User
from xinqu.enterprises.models import Enterprise
from xinqu.service_requests import services
from xinqu.service_requests.models import Category, ServiceRequest
from xinqu.workflow.reminders import remind_items

TOPICS = {
    "政策咨询": ["咨询高新技术企业认定申报条件", "咨询研发费用加计扣除政策", "咨询“专精特新”奖补标准"],
    "审批许可": ["厂房扩建施工许可办理缓慢", "环评批复进度咨询", "消防验收预约排期过长"],
    "融资": ["申请应急转贷资金", "申请贷款贴息", "希望对接科技金融产品"],
    "人才": ["引进博士人才公寓申请", "高层次人才子女入学协调", "技术工人招聘困难"],
    "水电气暖": ["新厂房电力增容", "园区供热不稳定", "天然气开户周期长"],
    "用工": ["季节性用工缺口", "员工通勤班车线路调整"],
    "土地与规划": ["项目用地规划条件调整", "土地证办理进度", "厂区道路规划衔接"],
    "其他": ["周边道路破损影响物流", "企业门前公交站点设置"],
}
# Where each category is handled in the demo zone (the demo has staff accounts in these three).
HANDLERS = {
    "政策咨询": "econ",
    "审批许可": "projects",
    "融资": "econ",
    "人才": "invest",
    "水电气暖": "projects",
    "用工": "invest",
    "土地与规划": "projects",
    "其他": "econ",
}
# How far each request goes, in turn: every state appears however few requests the demo has.
SCENARIOS = [
    "closed", "closed", "replied", "closed", "in_progress", "closed", "rejected", "closed", "waiting",
    "closed", "dispatched", "closed", "returned", "closed", "reopened", "closed", "accepted", "closed",
    "submitted", "closed", "overruled", "closed", "in_progress", "closed", "replied", "transferred",
    "extended", "extension_asked",
]  # fmt: skip
# The scenarios that leave a request open, and how many days ago such a request was filed.
RECENT = {
    "submitted": (0, 0), "accepted": (0, 1), "dispatched": (0, 1), "returned": (0, 1),
    "in_progress": (1, 6), "waiting": (2, 8), "extension_asked": (2, 6), "replied": (3, 12),
}  # fmt: skip
FIRST_DAY = dt.date(2023, 1, 3)
SETTLED = 40  # days: a request filed this long ago has run its course


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def load_demo_requests(*, users: dict[str, User], today: dt.date, **_context: Any) -> int:
    if ServiceRequest.objects.exists():
        return 0
    rng = random.Random(20240223)
    clerk = users["demo-service-clerk"]
    handlers = {code: users[f"demo-{code}-staff"] for code in set(HANDLERS.values())}
    categories = list(Category.objects.all())
    enterprises = list(Enterprise.objects.order_by("id").values_list("name", "credit_code")[:400])
    span = (today - dt.timedelta(days=SETTLED) - FIRST_DAY).days
    count = settings.DEMO_REQUESTS
    # The settled ones spread over the years; one of each open scenario filed in the last days,
    # within its deadline but for one that is a few days late.
    settled = [s for s in SCENARIOS if s not in RECENT]
    still_open = [s for s in SCENARIOS if s in RECENT]
    late = count - len(still_open) + still_open.index("in_progress")
    plan = []
    for n in range(count):
        category = rng.choice(categories)
        if n < count - len(still_open):
            scenario = settled[n % len(settled)]
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        else:
            scenario = still_open[n - (count - len(still_open))]
            low, high = RECENT[scenario]
            high = min(high, category.time_limit)
            lead = rng.randint(min(low, high), high)
            if n == late:
                # The one late request, signed for and not answered a week past its deadline (a
                # deadline counts working days: 1.5 calendar days each is ample).
                lead = int(category.time_limit * 1.5) + 7
            day = today - dt.timedelta(days=lead)
        plan.append((day, n, scenario, category))
    for day, n, scenario, category in sorted(plan, key=lambda p: (p[0], p[1])):
        name, code = rng.choice(enterprises) if enterprises else (f"演示企业{n}", "")
        request, _token = services.request_file(
            actor=None if rng.random() < 0.4 else clerk,
            category=category,
            enterprise_name=name,
            credit_code=code,
            contact_name="联系人",
            contact_phone="0431-8000" + f"{n:04d}",
            description=rng.choice(TOPICS.get(category.name, ["其他诉求"])),
            now=min(_at(day, 9), timezone.now() - dt.timedelta(minutes=30)),
        )
        handler = handlers[HANDLERS.get(category.name, "econ")]
        _walk(request, scenario, rng, clerk, handler, handlers, day)
    _read_what_is_done()
    # What `xinqu remind` would have done by now: the few requests past their deadline are
    # escalated.
    remind_items(False)
    return count


def _read_what_is_done() -> None:
    """People have read the notices of work that has moved on: the centre every filing it has
    taken in, a department each step but the one now waiting for it."""
    items = dict(ServiceRequest.objects.values_list("item_id", "item__state"))
    versions = dict(ServiceRequest.objects.values_list("item_id", "item__version"))
    waiting = {pk for pk, state in items.items() if state == "submitted"}
    keep = {f"sr-filed-{pk}" for pk in waiting}
    keep |= {f"sr-{pk}-{versions[pk]}" for pk, state in items.items() if state not in {"closed", "rejected"}}
    Notification.objects.filter(key__startswith="sr-", read_at__isnull=True).exclude(key__in=keep).update(
        read_at=timezone.now()
    )


def _walk(
    request: ServiceRequest,
    scenario: str,
    rng: random.Random,
    clerk: User,
    handler: User,
    handlers: dict[str, User],
    day: dt.date,
) -> None:
    """Take a request as far as its scenario goes, a few hours or days per step."""

    latest = timezone.now() - dt.timedelta(minutes=5)
    hour = 1  # working hours into ``day`` (a working day runs 9:00 to 17:00); filed at 9:00

    def later(hours: int) -> dt.datetime:
        """``hours`` working hours after the last step; nothing happens after the demo's now."""
        nonlocal day, hour
        hour += hours
        day += dt.timedelta(days=hour // 8)
        hour %= 8
        return min(_at(day, 9 + hour), latest)

    def act(user: User, action: str, hours: int, **extra: Any) -> None:
        services.request_act(actor=user, request=request, action=action, now=later(hours), **extra)

    def requester(action: str, hours: int, comment: str = "") -> None:
        # On callback most satisfied enterprises say solved; some who rate it fine still say not.
        solved = None
        if action.startswith("rate_"):
            # Its own stream, so that the answers leave the rest of the demo as it was.
            chance = random.Random(request.item.number).random()
            solved = chance < {"rate_satisfied": 0.95, "rate_basically": 0.7}.get(action, 0.1)
        services.requester_act(
            request=request, action=action, comment=comment, solved=solved, now=later(hours)
        )

    if scenario == "submitted":
        return
    if scenario == "rejected":
        act(clerk, "reject", 3, comment="不属于企业诉求受理范围")
        return
    act(clerk, "accept", 2)
    if scenario == "accepted":
        return
    if scenario == "transferred":  # first sent to the wrong department, then transferred
        wrong = next(u for u in handlers.values() if u.department_id != handler.department_id)
        act(clerk, "dispatch", 4, department=wrong.department)
        act(clerk, "transfer", 6, department=handler.department, comment="职责调整，转办")
    else:
        act(clerk, "dispatch", 4, department=handler.department)
    if scenario == "dispatched":
        return
    if scenario in {"returned", "overruled"}:
        act(handler, "return", 6, comment="不属于本部门职责")
        if scenario == "returned":
            return
        act(clerk, "overrule", 3, comment="请按职责办理")
    late = rng.random() < 0.15
    act(handler, "sign_for", 24 if late else 3)
    if scenario == "in_progress":
        return
    if scenario in {"extended", "extension_asked"}:
        act(handler, "ask_extension", 8, comment="需协调市级部门会商，申请延期", days=5)
        if scenario == "extension_asked":
            return
        act(clerk, "approve_extension", 4, comment="同意延期 5 个工作日")
    if scenario == "waiting":
        act(handler, "request_info", 16, comment="请补充相关证明材料")
        return
    days = request.category.time_limit * (2 if late else 1)
    outcome = rng.choices(["solved", "partly", "explained"], [75, 15, 10])[0]
    act(handler, "reply", 8 * rng.randint(1, max(days, 1)), comment="已协调办理，详见答复。", outcome=outcome)
    if scenario == "replied":
        return
    if scenario == "reopened":
        requester("rate_dissatisfied", 8, "问题尚未彻底解决")
        act(handler, "reply", 24, comment="已再次协调。", outcome="solved")
        requester("rate_basically", 8)
        return
    rating = rng.choices(["rate_satisfied", "rate_basically", "rate_dissatisfied"], [75, 20, 5])[0]
    requester(rating, 8, "意见")
    if rating == "rate_dissatisfied":  # reopened: handled again, and then accepted
        act(handler, "reply", 24, comment="已再次协调。", outcome="solved")
        requester("rate_basically", 8)
