"""The registry's .xlsx exports; the columns match the import headers, so an export re-imports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.jobs import ExportKind
from xinqu.core.models import User
from xinqu.core.xlsx import workbook_bytes
from xinqu.enterprises.imports import ENTERPRISE_COLUMNS
from xinqu.enterprises.models import Enterprise
from xinqu.enterprises.selectors import EnterpriseFilter, enterprise_search


def _rows(enterprises: QuerySet[Enterprise]) -> Iterator[list[Any]]:
    for e in enterprises.select_related("area", "park").order_by("id").iterator(chunk_size=2000):
        yield [
            e.credit_code,
            e.name,
            e.former_names,
            e.area.name if e.area else "",
            e.park.name if e.park else "",
            e.industry_code,
            e.get_size_class_display() if e.size_class else "",
            _("是") if e.above_scale else _("否"),
            e.above_scale_year or "",
            e.established_on.isoformat() if e.established_on else "",
            e.contact_name,
            e.contact_phone,
            _("是") if e.is_quiet else _("否"),
        ]


def enterprises_workbook(enterprises: QuerySet[Enterprise]) -> bytes:
    headers = [c.header for c in ENTERPRISE_COLUMNS]
    return workbook_bytes(
        _("企业名录"), headers, _rows(enterprises), widths=[22, 36, 24, 10, 18, 10, 8, 8, 8, 12, 10, 14, 8]
    )


def enterprises_export(actor: User, params: dict[str, Any]) -> bytes:
    """The registry as the list page filtered it (``params``: an EnterpriseFilter's fields), for
    what ``actor`` may see."""
    return enterprises_workbook(enterprise_search(actor, EnterpriseFilter(**params)))


ENTERPRISES_EXPORT = ExportKind(
    key="enterprises",
    label=gettext_lazy("企业名录"),
    build=enterprises_export,
    filename="enterprises.xlsx",
    object_type="enterprises.Enterprise",
    back_url="enterprises:list",
)
