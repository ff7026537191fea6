"""KPIs fed from the other modules. A KPI whose ``source`` names a feed takes its value from there
(no one types it) and lists the records behind the number.

Sources: a fixed key below (``enterprises.high_tech_new`` …), or ``indicator.<code>.value`` /
``indicator.<code>.growth`` for any indicator in the catalog (the zone's approved year-to-date
figure or its growth, at the latest month reported)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RECORDS_SHOWN = 200


@dataclass
class Record:
    label: str
    url: str = ""
    detail: str = ""


@dataclass
class Fed:
    value: Decimal | None
    records: list[Record] = field(default_factory=list)
    count: int = 0  # records behind the value, when more than are listed
    note: str = ""


@dataclass(frozen=True)
class Feed:
    key: str
    label: str | Promise
    unit: str
    compute: Callable[[int, dt.date], Fed]


def _qualifications(year: int, as_of: dt.date, condition: Q) -> Fed:
    from xinqu.enterprises.models import Qualification

    found = (
        Qualification.objects.filter(
            condition, granted_on__year=year, granted_on__lte=as_of, revoked_on__isnull=True
        )
        .select_related("enterprise", "kind")
        .order_by("granted_on", "id")
    )
    count = found.count()
    records = [
        Record(
            q.enterprise.name,
            reverse("enterprises:detail", args=[q.enterprise_id]),
            f"{q.kind.name} {q.granted_on}",
        )
        for q in found[:RECORDS_SHOWN]
    ]
    return Fed(Decimal(count), records, count)


def _high_tech_total(year: int, as_of: dt.date) -> Fed:
    from xinqu.enterprises.models import Qualification

    found = (
        Qualification.objects.filter(kind__code="high_tech", granted_on__lte=as_of, revoked_on__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))
        .select_related("enterprise")
        .order_by("enterprise__name")
    )
    enterprises = found.values("enterprise").distinct().count()
    records = [
        Record(q.enterprise.name, reverse("enterprises:detail", args=[q.enterprise_id]), f"{q.granted_on}")
        for q in found[:RECORDS_SHOWN]
    ]
    return Fed(Decimal(enterprises), records, enterprises)


def _requests_rate(rate: str) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        from xinqu.service_requests.metrics import metrics

        total = metrics(year=year, by="month", through=as_of)["total"]
        value = total.rates[rate]
        url = f"{reverse('service_requests:metrics')}?year={year}&by=month"
        label = _("%(year)s 年 1–%(m)s 月企业诉求：%(n)s 件") % {
            "year": year,
            "m": as_of.month,
            "n": total.counts["total"],
        }
        return Fed(value, [Record(str(label), url)], total.counts["total"])

    return compute


def _projects(condition: Callable[[int, dt.date], Q]) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        from xinqu.projects.models import Project

        found = Project.objects.filter(condition(year, as_of)).order_by("code")
        count = found.count()
        records = [
            Record(
                f"{p.code} {p.name}", reverse("projects:detail", args=[p.pk]), f"{p.total_investment:,.0f}"
            )
            for p in found[:RECORDS_SHOWN]
        ]
        return Fed(Decimal(count), records, count)

    return compute


def _started_or_resumed(year: int, as_of: dt.date) -> Q:
    from xinqu.projects.selectors import started_or_resumed

    return started_or_resumed(year) & Q(started_on__lte=as_of) & Q(total_investment__gte=5000)


FEEDS: dict[str, Feed] = {
    f.key: f
    for f in [
        Feed(
            "enterprises.high_tech_new",
            _("新认定高新技术企业（户，企业名录）"),
            "户",
            lambda year, as_of: _qualifications(year, as_of, Q(kind__code="high_tech")),
        ),
        Feed("enterprises.high_tech_total", _("高新技术企业总数（户，企业名录）"), "户", _high_tech_total),
        Feed(
            "enterprises.srdi_new",
            _("新增专精特新企业（户，企业名录）"),
            "户",
            lambda year, as_of: _qualifications(year, as_of, Q(kind__group="srdi")),
        ),
        Feed(
            "service_requests.satisfaction",
            _("企业诉求满意率（%，企业诉求）"),
            "%",
            _requests_rate("satisfaction"),
        ),
        Feed(
            "service_requests.on_time", _("企业诉求按时办结率（%，企业诉求）"), "%", _requests_rate("on_time")
        ),
        Feed(
            "projects.started_1bn",
            _("当年开工十亿元以上项目（个，项目建设）"),
            "个",
            _projects(
                lambda year, as_of: Q(
                    started_on__year=year, started_on__lte=as_of, total_investment__gte=100_000
                )
            ),
        ),
        Feed(
            "projects.started_or_resumed",
            _("开复工 5000 万元以上项目（个，项目建设）"),
            "个",
            _projects(_started_or_resumed),
        ),
        Feed(
            "projects.landed",
            _("当年落地项目（个，项目建设）"),
            "个",
            _projects(lambda year, as_of: Q(landed_on__year=year, landed_on__lte=as_of)),
        ),
    ]
}


def _indicator_feed(code: str, measure: str) -> Feed | None:
    from xinqu.indicators.models import Indicator

    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or measure not in {"value", "growth"}:
        return None

    def compute(year: int, as_of: dt.date) -> Fed:
        from xinqu.core.models import OrgUnit
        from xinqu.indicators.models import Observation

        zone = OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).first()
        found = (
            Observation.objects.filter(
                indicator=indicator, org_unit=zone, period__year=year, period__lte=as_of
            )
            .order_by("-period")
            .first()
        )
        if found is None:
            return Fed(None, note=str(_("尚无已审核的数据")))
        if measure == "value":
            value = found.ytd_value
        elif indicator.growth_source == Indicator.GrowthSource.REPORTED:
            value = found.growth
        else:
            last = Observation.objects.filter(
                indicator=indicator, org_unit=zone, period=found.period.replace(year=year - 1)
            ).first()
            value = (
                ((found.ytd_value / last.ytd_value - 1) * 100).quantize(Decimal("0.01"))
                if last and last.ytd_value and found.ytd_value is not None
                else None
            )
        url = f"{reverse('indicators:detail', args=[code])}?period={found.period:%Y-%m}"
        detail = f"{found.period:%Y-%m} {indicator.name}"
        return Fed(value, [Record(detail, url)], 1)

    unit = indicator.unit if measure == "value" else "%"
    label = (_("%(name)s（累计值，经济指标）") if measure == "value" else _("%(name)s（增速，经济指标）")) % {
        "name": indicator.name
    }
    return Feed(f"indicator.{code}.{measure}", label, unit, compute)


def feed(key: str) -> Feed | None:
    """The feed named ``key``, or None when there is none."""
    if key in FEEDS:
        return FEEDS[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "indicator":
        return _indicator_feed(parts[1], parts[2])
    return None


def choices() -> list[tuple[str, str]]:
    """Every source a KPI may name, for the node form."""
    from xinqu.indicators.models import Indicator

    found = [("", str(_("部门填报")))] + [(key, str(f.label)) for key, f in FEEDS.items()]
    for code, name in Indicator.objects.filter(is_active=True).values_list("code", "name"):
        found.append((f"indicator.{code}.value", str(_("%(name)s（累计值，经济指标）") % {"name": name})))
        found.append((f"indicator.{code}.growth", str(_("%(name)s（增速，经济指标）") % {"name": name})))
    return found
