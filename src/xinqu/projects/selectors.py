"""Reads for the project ledger: the filtered list, the statistics (counts and investment by stage,
area, park, chain and size band, with the year's started-or-resumed rate) and the scheduling
meeting's list. Each is a few grouped queries over indexed columns, whatever the ledger's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqu.projects.flow import KIND
from xinqu.projects.lights import add_months
from xinqu.projects.models import Milestone, Problem, Project, ProjectYear

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
        return (self.completed / self.planned * 100).quantize(Decimal("0.1")) if self.planned else None


DIMENSIONS: dict[str, tuple[str, str | Promise]] = {
    "stage": ("stage", _("阶段")),
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
    rows: list[StatRow] = field(default_factory=list)
    total: StatRow = field(default_factory=lambda: StatRow(None, ""))
    planned_to_start: int = 0
    started_or_resumed: int = 0
    landed: int = 0
    industrial_share: Decimal | None = None  # of the started-or-resumed projects' total investment

    @property
    def start_rate(self) -> Decimal | None:
        if not self.planned_to_start:
            return None
        return (Decimal(self.started_or_resumed) / self.planned_to_start * 100).quantize(Decimal("0.1"))


def started_or_resumed(year: int) -> Q:
    """New starts (开工 in the year) and resumed projects (续建: started before the year, neither
    completed nor terminated before it)."""
    first = dt.date(year, 1, 1)
    new = Q(started_on__year=year)
    resumed = (
        Q(started_on__lt=first)
        & (Q(completed_on__isnull=True) | Q(completed_on__gte=first))
        & (Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
    )
    return new | resumed


def statistics(
    year: int, by: str, base: QuerySet[Project] | None = None, min_total: Decimal | None = None
) -> Statistics:
    """Counts and investment of the projects by ``by``, for ``year``: total investment, the year's
    planned and completed investment, new starts and resumed ones. ``min_total`` keeps the projects
    of at least that total investment (the statistics office counts ≥ 5000万)."""
    projects = base if base is not None else Project.objects.all()
    if min_total is not None:
        projects = projects.filter(total_investment__gte=min_total)
    field_name = DIMENSIONS[by][0]
    if by == "band":
        projects = projects.annotate(band=band_expression())
    first = dt.date(year, 1, 1)
    grouped = (
        projects.values(field_name)
        .annotate(
            n=Count("pk"),
            invest=Sum("total_investment"),
            new=Count("pk", filter=Q(started_on__year=year)),
            resumed=Count("pk", filter=started_or_resumed(year) & Q(started_on__lt=first)),
        )
        .order_by(field_name)
    )
    yearly = (
        ProjectYear.objects.filter(year=year, project__in=projects.values("pk"))
        .annotate(key=_key_for(by))
        .values("key")
        .annotate(planned=Sum("planned_investment"), completed=Sum("completed_investment"))
    )
    money = {row["key"]: row for row in yearly}
    labels = _labels(by)
    result = Statistics(year=year, by=by)
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
    counted = projects.filter(started_or_resumed(year))
    totals = counted.aggregate(
        n=Count("pk"),
        all_money=Sum("total_investment"),
        industrial=Sum("total_investment", filter=Q(kind=Project.Kind.INDUSTRIAL)),
    )
    result.started_or_resumed = totals["n"]
    if totals["all_money"]:
        result.industrial_share = ((totals["industrial"] or 0) / totals["all_money"] * 100).quantize(
            Decimal("0.1")
        )
    result.planned_to_start = ProjectYear.objects.filter(
        year=year, planned_to_start=True, project__in=projects.values("pk")
    ).count()
    # Landings count every project, whatever its size (the report's "落地项目").
    result.landed = (base if base is not None else Project.objects.all()).filter(landed_on__year=year).count()
    return result


def _key_for(by: str) -> Any:
    from django.db.models import F

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


@dataclass
class MeetingRow:
    project: Project
    overdue_milestones: int
    open_problems: int


@dataclass
class Meeting:
    """The scheduling meeting's projects, in order, with their overdue milestones and open problems
    counted per project."""

    projects: QuerySet[Project]
    late: dict[int, int]
    blocked: dict[int, int]

    def groups(self, projects: Any = None) -> dict[tuple[str, str], list[MeetingRow]]:
        """``projects`` (default: all of them) grouped by area and responsible leader."""
        groups: dict[tuple[str, str], list[MeetingRow]] = {}
        unassigned = str(_("（未定包保领导）"))
        for project in self.projects if projects is None else projects:
            leader = project.leader.display_name if project.leader else unassigned
            groups.setdefault((project.area.name, leader), []).append(
                MeetingRow(project, self.late.get(project.pk, 0), self.blocked.get(project.pk, 0))
            )
        return groups


def meeting_list(base: QuerySet[Project] | None = None, today: dt.date | None = None) -> Meeting:
    """Active projects behind schedule (red or yellow), with an overdue milestone or with an open
    problem, ordered by area, leader and light. Three queries: the overdue milestones and the open
    problems counted per project, then the projects (which a page may slice)."""
    today = today or timezone.localdate()
    projects = (base if base is not None else Project.objects.all()).filter(stage__in=ACTIVE)
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
    return Meeting(found, late, blocked)


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
    return (project.registered_on or today) > due
