"""The figures the innovation registry gives the register: platforms valid at the period's end,
in all and by the highest level each holds then (a stock: 期末数)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import Fed, Feed, FeedFamily, Record, records_of
from xinqu.innovation.models import InnovationProject, Level, Platform, TalentCategory, TalentProgramme
from xinqu.innovation.selectors import counted, landmarks_in, recruited_in, started_in

MASKED = _("内部平台")
MASKED_PROJECT = _("内部项目")


def _fed(found: QuerySet[Platform]) -> Fed:
    platforms = found.order_by("code")
    count = platforms.count()
    records = records_of(
        platforms,
        lambda p: (
            Record(str(MASKED), "")
            if p.confidential
            else Record(f"{p.code} {p.name}", reverse("innovation:detail", args=[p.pk]))
        ),
    )
    return Fed(Decimal(count), records, count)


def _at(year: int, as_of: dt.date) -> dt.date:
    return min(as_of, dt.date(year, 12, 31))


def platforms(year: int, as_of: dt.date) -> Fed:
    day = _at(year, as_of)
    return _fed(counted(day))


def _by_level(level: str) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        day = _at(year, as_of)
        return _fed(counted(day, level))

    return compute


def _projects(found: QuerySet[InnovationProject]) -> Fed:
    listed = found.order_by("started_on", "code")
    count = listed.count()
    records = records_of(
        listed,
        lambda p: (
            Record(str(MASKED_PROJECT), "")
            if p.confidential
            else Record(f"{p.code} {p.name}", reverse("innovation:project", args=[p.pk]))
        ),
    )
    return Fed(Decimal(count), records, count)


def _started(kind: str = "") -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        return _projects(started_in(year, as_of, kind))

    return compute


def landmark_outcomes(year: int, as_of: dt.date) -> Fed:
    found = landmarks_in(year, as_of).order_by("achieved_on", "id")
    count = found.count()
    records = records_of(
        found,
        lambda o: (
            Record(str(MASKED_PROJECT), "")
            if o.project.confidential
            else Record(o.title, reverse("innovation:project", args=[o.project_id]), o.landmark_reason)
        ),
    )
    return Fed(Decimal(count), records, count)


MASKED_TALENT = _("内部人才")


def _recruited(category: str = "", programme_id: int | None = None) -> Callable[[int, dt.date], Fed]:
    def compute(year: int, as_of: dt.date) -> Fed:
        found = recruited_in(year, as_of, category).select_related("programme").order_by("recruited_on", "id")
        if programme_id is not None:
            found = found.filter(programme_id=programme_id)
        count = found.count()
        records = records_of(
            found,
            lambda t: (
                Record(str(MASKED_TALENT), "")
                if t.confidential
                else Record(f"{t.name}（{t.programme.name}）", reverse("innovation:talent", args=[t.pk]))
            ),
        )
        return Fed(Decimal(count), records, count)

    return compute


FEEDS = [
    Feed("innovation.platforms", _("创新平台（个，期末数）"), "个", platforms, measure="stock"),
    Feed(
        "innovation.platforms_national",
        _("国家级创新平台（个，期末数）"),
        "个",
        _by_level(Level.NATIONAL),
        measure="stock",
    ),
    Feed(
        "innovation.platforms_provincial",
        _("省级创新平台（个，期末数）"),
        "个",
        _by_level(Level.PROVINCIAL),
        measure="stock",
    ),
    Feed(
        "innovation.platforms_city",
        _("市级创新平台（个，期末数）"),
        "个",
        _by_level(Level.CITY),
        measure="stock",
    ),
    Feed("innovation.projects", _("当年立项的创新项目（个）"), "个", _started(), measure="quantity"),
    Feed(
        "innovation.high_level_projects",
        _("当年立项的高能级项目（个，“515”）"),
        "个",
        _started(InnovationProject.Kind.HIGH_LEVEL),
        measure="quantity",
    ),
    Feed(
        "innovation.academician_projects",
        _("当年立项的院士型项目（个，“515”）"),
        "个",
        _started(InnovationProject.Kind.ACADEMICIAN),
        measure="quantity",
    ),
    Feed(
        "innovation.landmark_outcomes",
        _("当年取得的标志性成果（项，“515”）"),
        "项",
        landmark_outcomes,
        measure="quantity",
    ),
    Feed("innovation.talents", _("当年引进的人才（人/团队）"), "人", _recruited(), measure="quantity"),
    Feed(
        "innovation.talents_academician",
        _("当年引进的院士（人/团队）"),
        "人",
        _recruited(TalentCategory.ACADEMICIAN),
        measure="quantity",
    ),
    Feed(
        "innovation.talents_overseas",
        _("当年引进的海外人才（人/团队）"),
        "人",
        _recruited(TalentCategory.OVERSEAS),
        measure="quantity",
    ),
    Feed(
        "innovation.talents_innovative",
        _("当年引进的创新型人才（人/团队）"),
        "人",
        _recruited(TalentCategory.INNOVATIVE),
        measure="quantity",
    ),
]


def _programme_label(programme: TalentProgramme) -> str:
    return str(_("当年按“%(name)s”引进的人才（人/团队）") % {"name": programme.name})


def programme_feed(key: str) -> Feed | None:
    """``talent_programme.<id>``: the talents a programme recruited in the year."""
    _prefix, _dot, pk = key.partition(".")
    programme = TalentProgramme.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if programme is None:
        return None
    return Feed(
        key, _programme_label(programme), "人", _recruited(programme_id=programme.pk), measure="quantity"
    )


def programme_choices() -> list[tuple[str, str]]:
    return [(f"talent_programme.{p.pk}", _programme_label(p)) for p in TalentProgramme.objects.all()]


PROGRAMMES = FeedFamily("talent_programme", programme_feed, programme_choices)
