"""Reads for the project ledger: the filtered list, the statistics (counts and investment by stage,
area, park, chain and size band, with the year's started-or-resumed rate) and the scheduling
meeting's list. Each is a few grouped queries over indexed columns, whatever the ledger's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqu.core.numbers import rounded
from xinqu.core.periods import as_of_in, current_period, month_end
from xinqu.projects.flow import KIND
from xinqu.projects.lights import add_months
from xinqu.projects.models import Milestone, MonthlyReport, Problem, ProblemQuerySet, Project, ProjectYear

# Size bands by total investment (万元): ≥ 10亿, ≥ 1亿, ≥ 5000万, below.
BANDS: list[tuple[str, Decimal, str | Promise]] = [
    ("1b", Decimal(100_000), _("10亿元以上")),
    ("100m", Decimal(10_000), _("1亿—10亿元")),
    ("50m", Decimal(5_000), _("5000万—1亿元")),
    ("small", Decimal(0), _("5000万元以下")),
]
BAND_LABELS = {key: label for key, _floor, label in BANDS}
OPEN_PROBLEM_STATES = sorted(set(KIND.states) - KIND.closed)
ACTIVE = [s for s in Project.Stage.values if s not in {"completed", "operating", "terminated"}]


def band_of(total: Decimal) -> str:
    return next(key for key, floor, _label in BANDS if total >= floor)


def band_expression() -> Case:
    return Case(
        *(When(total_investment__gte=floor, then=Value(key)) for key, floor, _label in BANDS[:-1]),
        default=Value("small"),
    )


def stage_as_of(day: dt.date, prefix: str = "") -> Case:
    """Each project's stage on ``day``, read from its dates: a project completed in 2025 was
    being built at the end of 2024. A stage without a date of its own (a 签约 with no signing
    date) keeps the stage recorded, unless a later date shows it had not got there yet."""
    S = Project.Stage

    def on(name: str, **more: Any) -> Q:
        return Q(**{f"{prefix}{name}__lte": day}, **{f"{prefix}{k}": v for k, v in more.items()})

    later = Q()
    for name in ("signed_on", "landed_on", "started_on", "completed_on", "operating_on", "terminated_on"):
        later |= Q(**{f"{prefix}{name}__gt": day})
    return Case(
        When(on("terminated_on"), then=Value(S.TERMINATED)),
        When(on("operating_on"), then=Value(S.OPERATING)),
        When(on("completed_on"), then=Value(S.COMPLETED)),
        When(on("suspended_on", stage=S.SUSPENDED), then=Value(S.SUSPENDED)),
        When(on("started_on", stage=S.STARTED), then=Value(S.STARTED)),
        When(on("started_on"), then=Value(S.BUILDING)),
        When(on("landed_on"), then=Value(S.LANDED)),
        When(on("signed_on"), then=Value(S.SIGNED)),
        When(later, then=Value(S.PLANNED)),
        default=F(f"{prefix}stage"),
    )


def band_filter(key: str) -> Q:
    """The projects of a size band, as a filter on the indexed amount."""
    floors = {k: floor for k, floor, _label in BANDS}
    if key not in floors:
        return Q()
    index = [k for k, _f, _l in BANDS].index(key)
    condition = Q(total_investment__gte=floors[key])
    if index > 0:
        condition &= Q(total_investment__lt=BANDS[index - 1][1])
    return condition


def filtered(params: Any) -> QuerySet[Project]:
    """The ledger filtered as the list page's form says (every filter optional)."""
    found = Project.objects.select_related("area", "park", "department", "leader", "chain_node")
    query = (params.get("q") or "").strip()
    if query:
        found = found.filter(Q(name__icontains=query) | Q(code__icontains=query))
    for name in ("stage", "kind", "light"):
        if params.get(name):
            found = found.filter(**{name: "" if params[name] == "none" else params[name]})
    for name in ("area", "park", "department", "leader", "chain_node"):
        value = params.get(name)
        if value and str(value).isdigit():
            found = found.filter(**{f"{name}_id": int(value)})
    if params.get("band"):
        found = found.filter(band_filter(params["band"]))
    if params.get("active"):
        found = found.filter(stage__in=ACTIVE)
    return found.order_by("code")


@dataclass
class StatRow:
    key: Any
    label: str
    projects: int = 0
    total_investment: Decimal = Decimal(0)
    planned: Decimal = Decimal(0)
    completed: Decimal = Decimal(0)
    new_starts: int = 0
    resumed: int = 0

    @property
    def completion(self) -> Decimal | None:
        return rounded(self.completed / self.planned * 100, 1) if self.planned else None


DIMENSIONS: dict[str, tuple[str, str | Promise]] = {
    "stage": ("stage_then", _("阶段")),  # as of the statistics' day (stage_as_of)
    "area": ("area__name", _("功能区")),
    "park": ("park__name", _("园区")),
    "chain": ("chain_node__parent__name", _("产业链")),
    "band": ("band", _("投资规模")),
    "kind": ("kind", _("项目类型")),
}


@dataclass
class Statistics:
    year: int
    by: str
    as_of: dt.date | None = None
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow = field(default_factory=lambda: StatRow(None, ""))
    planned_to_start: int = 0
    started_or_resumed: int = 0
    landed: int = 0
    industrial_share: Decimal | None = None  # 产业项目占比: see industrial_share()

    @property
    def start_rate(self) -> Decimal | None:
        if not self.planned_to_start:
            return None
        return rounded(Decimal(self.started_or_resumed) / self.planned_to_start * 100, 1)


def started_or_resumed(year: int, as_of: dt.date | None = None) -> Q:
    """New starts (开工 in the year, by ``as_of``) and resumed projects (续建: started before the
    year, neither completed nor terminated before it, and resumed in it by ``as_of``: a resumption
    date, or a monthly report with investment). A 续建 project in Changchun's winter shutdown is
    not 复工 on 1 January."""
    first = dt.date(year, 1, 1)
    as_of = as_of or dt.date(year, 12, 31)
    new = Q(started_on__gte=first, started_on__lte=as_of)
    plans = ProjectYear.objects.filter(year=year, resumed_on__gte=first, resumed_on__lte=as_of)
    reports = MonthlyReport.objects.filter(month__gte=first, month__lte=as_of, investment__gt=0)
    if connection.vendor == "postgresql":
        # PostgreSQL hashes an IN list once (a "hashed SubPlan"), even inside an OR.
        resumed_in_year = Q(pk__in=plans.values("project")) | Q(pk__in=reports.values("project"))
    else:
        # SQLite walks a correlated EXISTS on the (project, month) index far faster than it
        # gathers a year's reports into an IN list.
        resumed_in_year = Q(Exists(plans.filter(project=OuterRef("pk")))) | Q(
            Exists(reports.filter(project=OuterRef("pk")))
        )
    resumed = Q(started_on__lt=first) & not_finished_before(first) & resumed_in_year
    return new | resumed


STATISTICS_FLOOR = Decimal(5_000)  # 万元: the statistics office counts projects of 50 m yuan or more


def industrial_share(
    year: int, as_of: dt.date, base: QuerySet[Project] | None = None, places: int = 1
) -> Decimal | None:
    """产业项目占比, the one definition: the industrial projects' total investment as a share (%) of
    the total investment of the projects of 50 m yuan or more started or resumed in ``year`` by
    ``as_of``. None when no such project."""
    return _started(base if base is not None else Project.objects.all(), year, as_of, None, places)[1]


def started_figures(year: int, as_of: dt.date) -> tuple[int, Decimal | None]:
    """The projects of 50 m yuan or more started or resumed in ``year`` by ``as_of``, and the
    industrial share among them (to four places), in one query: the register's two figures."""
    return _started(Project.objects.all(), year, as_of, STATISTICS_FLOOR, places=4)


def _started(
    projects: QuerySet[Project], year: int, as_of: dt.date, min_total: Decimal | None, places: int = 1
) -> tuple[int, Decimal | None]:
    """In one query: how many of ``projects`` (of at least ``min_total``) were started or resumed
    in ``year`` by ``as_of``, and the industrial share among those of 50 m yuan or more."""
    floor = Q(total_investment__gte=STATISTICS_FLOOR)
    if min_total is not None and min_total >= STATISTICS_FLOOR:
        # Every number here is of projects at the floor or above: the smaller ones are left out
        # before their reports are looked at.
        projects = projects.filter(floor)
    totals = projects.filter(started_or_resumed(year, as_of)).aggregate(
        n=Count("pk", filter=Q(total_investment__gte=min_total) if min_total is not None else Q()),
        everything=Sum("total_investment", filter=floor),
        industrial=Sum("total_investment", filter=floor & Q(kind=Project.Kind.INDUSTRIAL)),
    )
    share = None
    if totals["everything"]:
        share = rounded(Decimal(totals["industrial"] or 0) / Decimal(totals["everything"]) * 100, places)
    return totals["n"], share


def not_finished_before(day: dt.date) -> Q:
    return (Q(completed_on__isnull=True) | Q(completed_on__gte=day)) & (
        Q(terminated_on__isnull=True) | Q(terminated_on__gte=day)
    )


def active_in(year: int, as_of: dt.date) -> Q:
    """The projects a year's statistics count: in that year's plan, landed or started by ``as_of``
    in it, and not completed or terminated before it began. A project finished in 2023 is not in
    2024's figures."""
    first = dt.date(year, 1, 1)
    in_plan = Q(pk__in=ProjectYear.objects.filter(year=year).values("project"))
    under_way = Q(started_on__lte=as_of) | Q(landed_on__gte=first, landed_on__lte=as_of)
    return (in_plan | under_way) & not_finished_before(first)


def statistics(
    year: int,
    by: str,
    base: QuerySet[Project] | None = None,
    min_total: Decimal | None = None,
    as_of: dt.date | None = None,
) -> Statistics:
    """Counts and investment of the projects active in ``year`` by ``by``, as of ``as_of`` (by
    default the end of the zone's reporting period in that year): total investment, the year's
    planned and completed investment, new starts and resumed ones. ``min_total`` keeps the projects
    of at least that total investment (the statistics office counts ≥ 5000万)."""
    as_of = as_of or as_of_in(year)
    projects = (base if base is not None else Project.objects.all()).filter(active_in(year, as_of))
    if min_total is not None:
        projects = projects.filter(total_investment__gte=min_total)
    field_name = DIMENSIONS[by][0]
    if by == "band":
        projects = projects.annotate(band=band_expression())
    if by == "stage":
        projects = projects.annotate(stage_then=stage_as_of(as_of))
    first = dt.date(year, 1, 1)
    grouped = (
        projects.values(field_name)
        .annotate(
            n=Count("pk"),
            invest=Sum("total_investment"),
            new=Count("pk", filter=Q(started_on__gte=first, started_on__lte=as_of)),
            resumed=Count("pk", filter=started_or_resumed(year, as_of) & Q(started_on__lt=first)),
        )
        .order_by(field_name)
    )
    yearly = (
        ProjectYear.objects.filter(year=year, project__in=projects.values("pk"))
        .annotate(key=_key_for(by, as_of))
        .values("key")
        .annotate(planned=Sum("planned_investment"), completed=Sum("completed_investment"))
    )
    money = {row["key"]: dict(row) for row in yearly}
    # Completed investment as of the day shown. The plan row keeps the year's total so far; the
    # reports of months after the day (the open month's, a few) come off it, and a project
    # reporting without a plan row for the year adds its reports up to the day. So the year's
    # million reports are never all summed.
    reports = MonthlyReport.objects.filter(project__in=projects.values("pk"))
    planned_rows = ProjectYear.objects.filter(year=year).values("project")
    # Those without a plan row are few: their reports are found by project, not by scanning. (A
    # project reporting in the year is one of the year's, so the active-in-year test is not needed.)
    unplanned = (base if base is not None else Project.objects.all()).exclude(
        Exists(ProjectYear.objects.filter(project=OuterRef("pk"), year=year))
    )
    if min_total is not None:
        unplanned = unplanned.filter(total_investment__gte=min_total)
    adjustments = [
        (-1, reports.filter(month__gt=as_of, month__lte=dt.date(year, 12, 31), project__in=planned_rows)),
        (
            1,
            MonthlyReport.objects.filter(
                project__in=unplanned.values("pk"), month__gte=first, month__lte=as_of
            ),
        ),
    ]
    for sign, found in adjustments:
        for row in found.annotate(key=_key_for(by, as_of)).values("key").annotate(amount=Sum("investment")):
            entry = money.setdefault(row["key"], {})
            entry["completed"] = (entry.get("completed") or Decimal(0)) + sign * row["amount"]
    labels = _labels(by)
    result = Statistics(year=year, by=by, as_of=as_of)
    for row in grouped:
        key = row[field_name]
        stat = StatRow(
            key=key,
            label=str(labels.get(key, key)) if key else str(_("（未填）")),
            projects=row["n"],
            total_investment=row["invest"] or Decimal(0),
            planned=(money.get(key) or {}).get("planned") or Decimal(0),
            completed=(money.get(key) or {}).get("completed") or Decimal(0),
            new_starts=row["new"],
            resumed=row["resumed"],
        )
        result.rows.append(stat)
    if by == "band":
        order = [k for k, _f, _l in BANDS]
        result.rows.sort(key=lambda r: order.index(r.key) if r.key in order else len(order))
    for stat in result.rows:
        for name in ("projects", "total_investment", "planned", "completed", "new_starts", "resumed"):
            setattr(result.total, name, getattr(result.total, name) + getattr(stat, name))
    result.total.label = str(_("合计"))
    # Every started project is among the year's active ones, so one query gives both figures.
    active = (base if base is not None else Project.objects.all()).filter(active_in(year, as_of))
    result.started_or_resumed, result.industrial_share = _started(active, year, as_of, min_total)
    result.planned_to_start = ProjectYear.objects.filter(
        year=year, planned_to_start=True, project__in=projects.values("pk")
    ).count()
    # Landings count every project, whatever its size (the report's "落地项目").
    result.landed = (
        (base if base is not None else Project.objects.all())
        .filter(landed_on__gte=first, landed_on__lte=as_of)
        .count()
    )
    return result


def _key_for(by: str, as_of: dt.date) -> Any:
    if by == "stage":
        return stage_as_of(as_of, prefix="project__")
    if by == "band":
        return Case(
            *(
                When(project__total_investment__gte=floor, then=Value(key))
                for key, floor, _label in BANDS[:-1]
            ),
            default=Value("small"),
        )
    return F(f"project__{DIMENSIONS[by][0]}")


def _labels(by: str) -> dict[Any, Any]:
    if by == "stage":
        return dict(Project.Stage.choices)
    if by == "kind":
        return dict(Project.Kind.choices)
    if by == "band":
        return BAND_LABELS
    return {}


REPORTING = [Project.Stage.STARTED, Project.Stage.BUILDING]  # under construction: a report each month


def missing_reports(month: dt.date, projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects under construction, started by the end of ``month``, with no report for it."""
    found = projects if projects is not None else Project.objects.all()
    return found.filter(stage__in=REPORTING, started_on__lte=month_end(month)).exclude(
        pk__in=MonthlyReport.objects.filter(month=month).values("project")
    )


def report_missing(project: Project, month: dt.date | None = None) -> dt.date | None:
    """The reporting period's month when ``project`` owes its report for it, else None."""
    month = month or current_period()
    if project.stage not in REPORTING or project.started_on is None or project.started_on > month_end(month):
        return None
    return None if project.reports.filter(month=month).exists() else month


@dataclass
class MeetingRow:
    project: Project
    overdue_milestones: int
    open_problems: int
    missing_report: bool = False


@dataclass
class Meeting:
    """The scheduling meeting's projects, in order, with their overdue milestones and open problems
    counted per project."""

    projects: QuerySet[Project]
    late: dict[int, int]
    blocked: dict[int, int]
    unreported: set[int] = field(default_factory=set)
    month: dt.date | None = None  # the month whose report is looked for

    def groups(self, projects: Any = None) -> dict[tuple[str, str], list[MeetingRow]]:
        """``projects`` (default: all of them) grouped by area and responsible leader."""
        groups: dict[tuple[str, str], list[MeetingRow]] = {}
        unassigned = str(_("（未定包保领导）"))
        for project in self.projects if projects is None else projects:
            leader = project.leader.display_name if project.leader else unassigned
            groups.setdefault((project.area.name, leader), []).append(
                MeetingRow(
                    project,
                    self.late.get(project.pk, 0),
                    self.blocked.get(project.pk, 0),
                    project.pk in self.unreported,
                )
            )
        return groups


def meeting_list(base: QuerySet[Project] | None = None, today: dt.date | None = None) -> Meeting:
    """Active projects behind schedule (red or yellow), with an overdue milestone or with an open
    problem, ordered by area, leader and light. Three queries: the overdue milestones and the open
    problems counted per project, then the projects (which a page may slice)."""
    today = today or timezone.localdate()
    month = current_period(today)
    projects = (base if base is not None else Project.objects.all()).filter(stage__in=ACTIVE)
    unreported = set(missing_reports(month, projects).values_list("pk", flat=True))
    late_milestones = Milestone.objects.filter(actual_on__isnull=True, planned_on__lt=today)
    open_problems = Problem.objects.filter(item__state__in=OPEN_PROBLEM_STATES)
    late = dict(
        late_milestones.filter(project__in=projects.values("pk"))
        .values_list("project")
        .annotate(n=Count("pk"))
        .order_by()
    )
    blocked = dict(
        open_problems.filter(project__in=projects.values("pk"))
        .values_list("project")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = (
        projects.filter(
            Q(light__in=["red", "yellow"])
            | Q(pk__in=late_milestones.values("project"))
            | Q(pk__in=open_problems.values("project"))
            | Q(pk__in=unreported)
        )
        .select_related("area", "leader", "department")
        .annotate(
            light_rank=Case(
                When(light="red", then=0),
                When(light="yellow", then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        .order_by("area__sort_order", "area__name", "leader__full_name", "leader_id", "light_rank", "code")
    )
    return Meeting(found, late, blocked, unreported, month)


def meeting(
    base: QuerySet[Project] | None = None, today: dt.date | None = None
) -> dict[tuple[str, str], list[MeetingRow]]:
    """The whole meeting list, grouped by area and responsible leader (the briefing's content)."""
    return meeting_list(base, today).groups()


def registration_overdue(project: Project, today: dt.date | None = None) -> bool:
    """A project of 500万 or more whose main works started must be registered (入库) within a month."""
    today = today or timezone.localdate()
    if project.started_on is None or project.total_investment < 500:
        return False
    due = add_months(project.started_on, 1)
    # The badge is for a registration still missing: once registered, late or not, it clears.
    return project.registered_on is None and today > due


def problems_open_at(as_of: dt.date) -> ProblemQuerySet:
    """The project problems open at the end of ``as_of``: raised by then, and not closed by then
    (closed later, or still open). The briefing's closing list reads them."""
    raised = Problem.objects.filter(item__opened_at__date__lte=as_of)
    open_then = Q(item__closed_at__date__gt=as_of) | Q(
        item__closed_at__isnull=True, item__state__in=OPEN_PROBLEM_STATES
    )
    return (
        raised.filter(open_then)
        .select_related("item", "item__department", "project")
        .order_by("item__due_on", "item__number")
    )
