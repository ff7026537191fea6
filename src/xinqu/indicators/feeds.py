"""Any indicator's zone figure as a feed: ``indicator.<code>.value`` (the approved year-to-date
value at the latest month reported) or ``indicator.<code>.growth``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import Fed, Feed, FeedFamily, Record
from xinqu.core.models import OrgUnit
from xinqu.core.numbers import year_on_year
from xinqu.indicators.models import Indicator, Observation, Target
from xinqu.indicators.selectors import fed_value, live_month


def _label(name: str, measure: str) -> str:
    text = _("%(name)s（累计值，经济指标）") if measure == "value" else _("%(name)s（增速，经济指标）")
    return str(text % {"name": name})


def indicator_feed(key: str) -> Feed | None:
    _prefix, code, measure = ([*key.split("."), "", ""])[:3]
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or measure not in {"value", "growth"}:
        return None

    def compute(year: int, as_of: dt.date) -> Fed:
        zone = OrgUnit.objects.filter(kind=OrgUnit.Kind.ZONE).first()
        found = (
            Observation.objects.filter(
                indicator=indicator, org_unit=zone, period__year=year, period__lte=as_of
            )
            .order_by("-period")
            .first()
        )
        held = Target.objects.filter(indicator=indicator, org_unit=zone, year=year).first()
        target = (held.value if measure == "value" else held.growth) if held else None
        if indicator.feed and measure == "value" and live_month(as_of):
            # A fed figure in a month not yet closed: computed now by its module, as on the overview.
            return Fed(fed_value(indicator, as_of), note=str(_("本月尚未关账，实时计算")), target=target)
        if found is None:
            return Fed(None, note=str(_("尚无已审核的数据")), target=target)
        if measure == "value":
            value = found.ytd_value
        else:
            last = Observation.objects.filter(
                indicator=indicator, org_unit=zone, period=found.period.replace(year=year - 1)
            ).first()
            value = year_on_year(
                found.ytd_value, last.ytd_value if last else None, reported=found.growth
            ).rate
        url = f"{reverse('indicators:detail', args=[code])}?period={found.period:%Y-%m}"
        return Fed(value, [Record(f"{found.period:%Y-%m} {indicator.name}", url)], 1, target=target)

    unit = indicator.unit if measure == "value" else "%"
    return Feed(
        key,
        _label(indicator.name, measure),
        unit,
        compute,
        holds_target=True,
        measure=indicator.measure if measure == "value" else "rate",
    )


def indicator_choices() -> list[tuple[str, str]]:
    found = []
    for code, name in Indicator.objects.filter(is_active=True).values_list("code", "name"):
        found.append((f"indicator.{code}.value", _label(name, "value")))
        found.append((f"indicator.{code}.growth", _label(name, "growth")))
    return found


INDICATORS = FeedFamily("indicator", indicator_feed, indicator_choices)
