"""The standard catalog: the indicators the zone's 2024 conference report cites. A head loads it
with one click on an empty catalog; the demo loads it for Changchun New Area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from xinqu.core.access import is_head
from xinqu.core.audit import audit_create
from xinqu.core.models import Department, User
from xinqu.indicators.models import Indicator
from xinqu.indicators.services import INDICATOR_FIELDS, check_kind


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    name_en: str
    unit: str
    department: str  # the department code that usually owns it
    options: dict[str, Any]


M, Q, Y = "monthly", "quarterly", "yearly"
CATALOG = [
    Entry(
        "gdp",
        "地区生产总值",
        "Gross domestic product",
        "亿元",
        "econ",
        {
            "frequency": Q,
            "price_basis": "comparable",
            "lowest_level": "area",
            "growth_red_pp": 1,
        },
    ),
    Entry(
        "industrial_output", "规上工业总产值", "Industrial output above designated size", "亿元", "econ", {}
    ),
    Entry(
        "fixed_asset_investment",
        "固定资产投资",
        "Fixed-asset investment",
        "亿元",
        "econ",
        {"lowest_level": "area"},
    ),
    Entry(
        "retail_sales",
        "社会消费品零售总额",
        "Retail sales of consumer goods",
        "亿元",
        "econ",
        {"lowest_level": "area"},
    ),
    Entry(
        "housing_units",
        "商品房网签销售套数",
        "Housing units sold",
        "套",
        "econ",
        {"lowest_level": "area", "decimals": 0},
    ),
    Entry(
        "housing_area",
        "商品房网签销售面积",
        "Floor area of housing sold",
        "万平方米",
        "econ",
        {"lowest_level": "area"},
    ),
    Entry("domestic_capital_used", "实际利用内资", "Domestic capital used", "亿元", "invest", {}),
    Entry(
        "foreign_capital_used", "实际利用外资", "Foreign capital used", "万美元", "invest", {"decimals": 0}
    ),
    Entry(
        "projects_landed",
        "落地项目数",
        "Projects landed",
        "个",
        "invest",
        {"decimals": 0, "lowest_level": "zone", "jan_feb_combined": False, "feed": "projects.landed"},
    ),
    Entry(
        "projects_started",
        "开复工5000万元以上项目数",
        "Projects over 50 m yuan started or resumed",
        "个",
        "projects",
        {
            "decimals": 0,
            "lowest_level": "zone",
            "jan_feb_combined": False,
            "feed": "projects.started_or_resumed",
        },
    ),
    Entry(
        "projects_investment",
        "开复工5000万元以上项目完成投资",
        "Investment completed by projects over 50 m yuan",
        "亿元",
        "projects",
        {"lowest_level": "area"},
    ),
    Entry(
        "industrial_projects_investment",
        "其中：产业项目完成投资",
        "of which industrial projects",
        "亿元",
        "projects",
        {"lowest_level": "area"},
    ),
    Entry(
        "industrial_project_share",
        "产业项目占比",
        "Share of industrial projects",
        "%",
        "projects",
        # One definition, the ledger's: the industrial projects' total investment among the
        # projects of 50 m yuan or more started or resumed in the year.
        {
            "kind": "ratio",
            "additive": False,
            "lowest_level": "zone",
            "jan_feb_combined": False,
            "feed": "projects.industrial_share",
        },
    ),
    Entry(
        "high_tech_enterprises",
        "高新技术企业数",
        "High-tech enterprises",
        "户",
        "tech",
        # A stock held on a date: every month's 期末数, from the registry.
        {
            "kind": "stock",
            "cumulative": False,
            "decimals": 0,
            "lowest_level": "zone",
            "feed": "enterprises.high_tech_total",
        },
    ),
    Entry(
        "service_satisfaction",
        "企业诉求满意率",
        "Satisfaction with service requests",
        "%",
        "business-env",
        # The year to date by the 12345 definition, from the service-request module.
        {
            "kind": "rate",
            "additive": False,
            "lowest_level": "zone",
            "jan_feb_combined": False,
            "feed": "service_requests.satisfaction",
        },
    ),
    Entry(
        "service_on_time",
        "企业诉求按时办结率",
        "Service requests answered on time",
        "%",
        "business-env",
        {
            "kind": "rate",
            "additive": False,
            "lowest_level": "zone",
            "jan_feb_combined": False,
            "feed": "service_requests.on_time",
        },
    ),
]


@transaction.atomic
def catalog_preload(*, actor: User | None) -> int:
    """Add the standard indicators the catalog lacks. Each goes to the department that usually
    owns it when the zone has one (by code), otherwise to the acting head's department."""
    if actor is not None and (not is_head(actor)):
        raise PermissionDenied(_("只有部门负责人可以维护指标目录。"))
    departments = {d.code: d for d in Department.objects.all()}
    existing = set(Indicator.objects.values_list("code", flat=True))
    added = 0
    for order, entry in enumerate(CATALOG, start=1):
        if entry.code in existing:
            continue
        department = departments.get(entry.department)
        if department is None and actor is None:
            continue
        indicator = Indicator(
            code=entry.code,
            name=entry.name,
            name_en=entry.name_en,
            unit=entry.unit,
            department=department or actor.department,  # type: ignore[union-attr]
            sort_order=order * 10,
            **entry.options,
        )
        indicator.full_clean()
        check_kind(indicator)
        indicator.save()
        audit_create(actor=actor, obj=indicator, fields=INDICATOR_FIELDS)
        added += 1
    return added
