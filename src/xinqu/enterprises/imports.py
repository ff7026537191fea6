"""Importing the enterprise registry and qualifications from users' .xlsx files.

Rows are read and written in batches inside one transaction: memory stays flat however long the
file, and any error rolls everything back (a dry run always rolls back). Re-importing the same
file changes nothing: rows are keyed by credit code (and, for qualifications, kind and date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import can_write
from xinqu.core.audit import audit_record
from xinqu.core.bulk import audit_rows, insert_rows
from xinqu.core.imports import (
    PREVIEW_ROWS,
    Column,
    ImportReport,
    all_or_nothing,
    parse_bool,
    parse_date,
    parse_int,
    parse_text,
    read_records,
)
from xinqu.core.jobs import ImportKind
from xinqu.core.models import AuditEntry, OrgUnit, User
from xinqu.enterprises.codes import normalise_credit_code, validate_credit_code, validate_industry_code
from xinqu.enterprises.models import (
    ChainPosition,
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    SizeClass,
)
from xinqu.enterprises.rules import add_months
from xinqu.enterprises.search import bulk_indexing
from xinqu.enterprises.services import ensure_department_member

BATCH = 2000
Progress = Callable[[int], None]


def parse_credit_code(value: Any) -> str:
    code = normalise_credit_code(parse_text(value))
    if code:
        validate_credit_code(code)
    return code


def parse_industry(value: Any) -> str:
    code = parse_text(value).upper()
    if code:
        validate_industry_code(code)
    return code


_SIZES = {str(label): value for value, label in SizeClass.choices} | {v: v for v in SizeClass.values}


def parse_size(value: Any) -> str:
    text = parse_text(value)
    if text and text not in _SIZES:
        raise ValueError(_("企业规模应为 大型、中型、小型 或 微型"))
    return _SIZES.get(text, "")


def parse_year(value: Any) -> int | None:
    year = parse_int(value)
    if year is not None and not 1990 <= year <= 2100:
        raise ValueError(_("年份应在 1990–2100 之间"))
    return year


ENTERPRISE_COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True, parse=parse_credit_code),
    Column("企业名称", "name", required=True, max_length=120),
    Column("曾用名", "former_names", max_length=400),
    Column("功能区", "area"),
    Column("园区", "park"),
    Column("行业代码", "industry_code", parse=parse_industry),
    Column("企业规模", "size_class", parse=parse_size),
    Column("是否规上", "above_scale", parse=parse_bool),
    Column("入规年份", "above_scale_year", parse=parse_year),
    Column("成立日期", "established_on", parse=parse_date),
    Column("联系人", "contact_name", max_length=40),
    Column("联系电话", "contact_phone", max_length=30),
    Column("无事不扰", "is_quiet", parse=parse_bool),
    Column("产业链环节", "chain_node"),
]
# The record fields an import sets (the chain position is kept apart).
_FIELDS = [
    "name",
    "former_names",
    "area_id",
    "park_id",
    "industry_code",
    "size_class",
    "above_scale",
    "above_scale_year",
    "established_on",
    "contact_name",
    "contact_phone",
    "is_quiet",
]

QUALIFICATION_COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True, parse=parse_credit_code),
    Column("资质类型", "kind", required=True),
    Column("证书编号", "certificate_no", max_length=60),
    Column("认定日期", "granted_on", required=True, parse=parse_date),
    Column("有效期至", "expires_on", parse=parse_date),
    Column("复核日期", "review_due", parse=parse_date),
    Column("上市交易所", "exchange", max_length=30),
    Column("股票代码", "ticker", max_length=20),
]
_QUAL_FIELDS = ["certificate_no", "expires_on", "review_due", "exchange", "ticker"]


class _Places:
    """Areas, parks and chain nodes by the names users write in their sheets."""

    def __init__(self) -> None:
        units = list(OrgUnit.objects.filter(kind__in=["area", "park"]))
        self.areas = {u.name: u for u in units if u.kind == "area"}
        self.areas_by_id = {u.pk: u for u in units if u.kind == "area"}
        self.parks: dict[str, OrgUnit | None] = {}
        for unit in (u for u in units if u.kind == "park"):
            # A park name used twice in the zone is ambiguous; say so rather than guess.
            self.parks[unit.name] = None if unit.name in self.parks else unit
        self.nodes: dict[str, int] = {}
        for node in IndustryNode.objects.filter(kind="node").select_related("parent"):
            self.nodes[f"{node.parent.name}/{node.name}"] = node.pk  # type: ignore[union-attr]


def _place(report: ImportReport, number: int, record: dict[str, Any], places: _Places) -> bool:
    area = park = None
    if record.get("area"):
        area = places.areas.get(record["area"])
        if area is None:
            report.add_error(number, _("功能区"), record["area"], _("没有这个功能区"))
            return False
    if record.get("park"):
        if record["park"] not in places.parks:
            report.add_error(number, _("园区"), record["park"], _("没有这个园区"))
            return False
        park = places.parks[record["park"]]
        if park is None:
            report.add_error(number, _("园区"), record["park"], _("园区名称重复，无法确定是哪一个"))
            return False
        if area is not None and park.parent_id != area.pk:
            report.add_error(number, _("园区"), record["park"], _("不在功能区“%(a)s”内") % {"a": area.name})
            return False
        area = places.areas_by_id.get(park.parent_id) if park.parent_id else area
    record["area_id"] = area.pk if area else None
    record["park_id"] = park.pk if park else None
    node = record.get("chain_node")
    if node:
        if node not in places.nodes:
            report.add_error(number, _("产业链环节"), node, _("没有这个链环节，应写作“产业链/环节”"))
            return False
        record["chain_node_id"] = places.nodes[node]
    return True


def _check_enterprise_row(report: ImportReport, number: int, record: dict[str, Any], today: dt.date) -> bool:
    if record.get("established_on") and record["established_on"] > today:
        report.add_error(number, _("成立日期"), record["established_on"], _("不能晚于今天"))
        return False
    if record.get("above_scale_year") and not record.get("above_scale"):
        report.add_error(number, _("入规年份"), record["above_scale_year"], _("只有规上企业才有入规年份"))
        return False
    if record.get("above_scale_year") and record["above_scale_year"] > today.year:
        report.add_error(number, _("入规年份"), record["above_scale_year"], _("不能晚于今年"))
        return False
    return True


def _audit_rows(
    actor: User,
    action: str,
    rows: list[tuple[Any, dict[str, Any]]],
    describe: Callable[[Any], str] = str,
) -> None:
    if rows:
        audit_rows(
            actor=actor,
            action=action,
            object_type=rows[0][0]._meta.label,
            entries=((obj.pk, describe(obj), changes) for obj, changes in rows),
            detail="xlsx import",
        )


def _describe_qualification(q: Qualification) -> str:
    # Built from ids already in hand: str(q) would fetch the enterprise, one query per row.
    return f"qualification kind={q.kind_id} enterprise={q.enterprise_id} granted={q.granted_on}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class _EnterpriseWriter:
    def __init__(
        self, actor: User, department_id: int, report: ImportReport, index: Callable[[list[int]], None]
    ) -> None:
        self.actor, self.department_id, self.report, self.index = actor, department_id, report, index
        self.batch: list[tuple[int, dict[str, Any]]] = []

    def add(self, number: int, record: dict[str, Any]) -> None:
        self.batch.append((number, record))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        codes = [r["credit_code"] for _n, r in self.batch]
        existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        placed = set(
            ChainPosition.objects.filter(enterprise__in=list(existing.values())).values_list(
                "enterprise__credit_code", "node_id"
            )
        )
        creates: list[tuple[str, tuple[Any, ...]]] = []
        updates: list[tuple[Enterprise, dict[str, Any]]] = []
        positions: list[tuple[str, int]] = []
        for number, record in self.batch:
            position = (
                (record["credit_code"], record["chain_node_id"]) if record.get("chain_node_id") else None
            )
            if position in placed:
                position = None
            values = tuple(record.get(name, default) for name, default in _DEFAULTS.items())
            current = existing.get(record["credit_code"])
            if current is None:
                creates.append((record["credit_code"], values))
                self._preview(number, record, "create")
            else:
                changes = {
                    k: [_plain(getattr(current, k)), _plain(v)]
                    for k, v in zip(_FIELDS, values, strict=True)
                    if getattr(current, k) != v
                }
                if (changes or position) and not can_write(self.actor, current):
                    self.report.add_error(
                        number,
                        _("统一社会信用代码"),
                        record["credit_code"],
                        _("该企业由其他部门维护，您无权修改")
                        if changes
                        else _("该企业由其他部门维护，您无权为其添加产业链环节"),
                    )
                    continue
                if changes:
                    for name, value in zip(_FIELDS, values, strict=True):
                        setattr(current, name, value)
                    updates.append((current, changes))
                    self._preview(number, record, "update")
                else:
                    self.report.unchanged += 1
            if position is not None and position not in positions:
                positions.append(position)
        ids = self._insert(creates)
        if updates:
            Enterprise.objects.bulk_update([e for e, _c in updates], _FIELDS, batch_size=1000)
        self.report.created += len(creates)
        self.report.updated += len(updates)
        audit_rows(
            actor=self.actor,
            action=AuditEntry.Action.CREATE,
            object_type=Enterprise._meta.label,
            entries=(
                # A new record's initial values; fields left empty are not listed.
                (
                    ids[code],
                    values[0],
                    {k: [None, _plain(v)] for k, v in zip(_FIELDS, values, strict=True) if v},
                )
                for code, values in creates
            ),
            detail="xlsx import",
        )
        _audit_rows(self.actor, AuditEntry.Action.UPDATE, updates)
        if positions:
            known = dict(
                Enterprise.objects.filter(credit_code__in=[c for c, _n in positions]).values_list(
                    "credit_code", "pk"
                )
            )
            ChainPosition.objects.bulk_create(
                [ChainPosition(enterprise_id=known[c], node_id=n) for c, n in positions],
                ignore_conflicts=True,
            )
            names = dict(
                IndustryNode.objects.filter(pk__in={n for _c, n in positions}).values_list("pk", "name")
            )
            audit_rows(
                actor=self.actor,
                action=AuditEntry.Action.CREATE,
                object_type=ChainPosition._meta.label,
                entries=(
                    (known[c], f"{c} · {names.get(n, n)}", {"node": [None, names.get(n, n)]})
                    for c, n in positions
                ),
                detail="xlsx import",
            )
        self.batch = []

    def _insert(self, creates: list[tuple[str, tuple[Any, ...]]]) -> dict[str, int]:
        """Insert new enterprises in one prepared statement; returns their ids by credit code."""
        if not creates:
            return {}
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        insert_rows(
            Enterprise,
            ["credit_code", "department_id", "confidential", *_FIELDS, "created_at", "updated_at"],
            ((code, self.department_id, False, *values, now, now) for code, values in creates),
            raw=["created_at", "updated_at"],
        )
        codes = [code for code, _values in creates]
        ids = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
        self.index(list(ids.values()))
        return ids

    def _preview(self, number: int, record: dict[str, Any], action: str) -> None:
        if len(self.report.preview) < PREVIEW_ROWS:
            self.report.preview.append(
                {
                    "row": number,
                    "action": str(_("新增") if action == "create" else _("更新")),
                    "credit_code": record["credit_code"],
                    "name": record["name"],
                }
            )


_DEFAULTS: dict[str, Any] = {
    "name": "",
    "former_names": "",
    "area_id": None,
    "park_id": None,
    "industry_code": "",
    "size_class": "",
    "above_scale": False,
    "above_scale_year": None,
    "established_on": None,
    "contact_name": "",
    "contact_phone": "",
    "is_quiet": False,
}


def enterprises_import(
    *, actor: User, file: IO[bytes], dry_run: bool = True, progress: Progress | None = None
) -> ImportReport:
    """Import the enterprise registry from an .xlsx with the Chinese headers of ENTERPRISE_COLUMNS.
    Nothing is written unless every row is good and ``dry_run`` is False."""
    department_id = ensure_department_member(actor)
    report = ImportReport(kind="enterprises", dry_run=dry_run)
    today = timezone.localdate()
    places = _Places()
    seen: dict[str, int] = {}
    with all_or_nothing(report), bulk_indexing() as index:
        writer = _EnterpriseWriter(actor, department_id, report, index)
        for number, record in read_records(file, ENTERPRISE_COLUMNS, report):
            code = record["credit_code"]
            if code in seen:
                report.add_error(
                    number, _("统一社会信用代码"), code, _("与第 %(n)d 行重复") % {"n": seen[code]}
                )
                continue
            seen[code] = number
            if not _check_enterprise_row(report, number, record, today) or not _place(
                report, number, record, places
            ):
                continue
            writer.add(number, record)
            if progress and report.total % 1000 == 0:
                progress(report.total)
        writer.flush()
    if report.committed:
        _audit_summary(actor, report)
    return report


def _audit_summary(actor: User, report: ImportReport) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type=f"import.{report.kind}",
        detail=f"rows={report.total} created={report.created} updated={report.updated} unchanged={report.unchanged}",
    )


def qualifications_import(
    *, actor: User, file: IO[bytes], dry_run: bool = True, progress: Progress | None = None
) -> ImportReport:
    """Import qualifications keyed by (credit code, kind, date of grant). The enterprise must be registered."""
    department_id = ensure_department_member(actor)
    report = ImportReport(kind="qualifications", dry_run=dry_run)
    today = timezone.localdate()
    kinds: dict[str, QualificationKind] = {}
    for kind in QualificationKind.objects.all():
        kinds[kind.name] = kinds[kind.code] = kind
    seen: dict[tuple[str, int, dt.date], int] = {}
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        codes = {r["credit_code"] for _n, r in batch}
        enterprises = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
        existing = {
            (q.enterprise_id, q.kind_id, q.granted_on): q
            for q in Qualification.objects.filter(enterprise_id__in=enterprises.values())
        }
        creates, updates = [], []
        for number, r in batch:
            enterprise_id = enterprises.get(r["credit_code"])
            if enterprise_id is None:
                report.add_error(
                    number, _("统一社会信用代码"), r["credit_code"], _("企业尚未登记，请先导入企业名录")
                )
                continue
            kind = r["kind_obj"]
            expires = r.get("expires_on") or (
                add_months(r["granted_on"], kind.validity_months) - dt.timedelta(days=1)
                if kind.validity_months
                else None
            )
            review = r.get("review_due") or (
                add_months(r["granted_on"], kind.review_months) if kind.review_months else None
            )
            values = {
                "certificate_no": r.get("certificate_no", ""),
                "expires_on": expires,
                "review_due": review,
                "exchange": r.get("exchange", ""),
                "ticker": r.get("ticker", ""),
            }
            current = existing.get((enterprise_id, kind.pk, r["granted_on"]))
            if current is None:
                creates.append(
                    Qualification(
                        enterprise_id=enterprise_id,
                        kind=kind,
                        granted_on=r["granted_on"],
                        department_id=department_id,
                        **values,
                    )
                )
                continue
            changes = {
                k: [_plain(getattr(current, k)), _plain(v)]
                for k, v in values.items()
                if getattr(current, k) != v
            }
            if not changes:
                report.unchanged += 1
            elif not can_write(actor, current):
                report.add_error(number, _("资质类型"), kind.name, _("该资质由其他部门登记，您无权修改"))
            else:
                for name, value in values.items():
                    setattr(current, name, value)
                updates.append((current, changes))
        Qualification.objects.bulk_create(creates, batch_size=1000)
        if updates:
            Qualification.objects.bulk_update([q for q, _c in updates], _QUAL_FIELDS, batch_size=1000)
        report.created += len(creates)
        report.updated += len(updates)
        _audit_rows(
            actor,
            AuditEntry.Action.CREATE,
            [(q, {k: [None, _plain(getattr(q, k))] for k in ["granted_on", *_QUAL_FIELDS]}) for q in creates],
            describe=_describe_qualification,
        )
        _audit_rows(actor, AuditEntry.Action.UPDATE, updates, describe=_describe_qualification)
        batch.clear()

    with all_or_nothing(report):
        for number, record in read_records(file, QUALIFICATION_COLUMNS, report):
            found = kinds.get(record["kind"])
            if found is None:
                report.add_error(number, _("资质类型"), record["kind"], _("没有这种资质类型"))
                continue
            kind = record["kind_obj"] = found
            if record["granted_on"] > today:
                report.add_error(number, _("认定日期"), record["granted_on"], _("不能晚于今天"))
                continue
            if record.get("expires_on") and record["expires_on"] < record["granted_on"]:
                report.add_error(number, _("有效期至"), record["expires_on"], _("不能早于认定日期"))
                continue
            key = (record["credit_code"], kind.pk, record["granted_on"])
            if key in seen:
                report.add_error(
                    number,
                    _("统一社会信用代码"),
                    record["credit_code"],
                    _("与第 %(n)d 行重复") % {"n": seen[key]},
                )
                continue
            seen[key] = number
            batch.append((number, record))
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(
                    {"row": number, "credit_code": record["credit_code"], "name": kind.name}
                )
            if len(batch) >= BATCH:
                flush()
            if progress and report.total % 1000 == 0:
                progress(report.total)
        flush()
    if report.committed:
        _audit_summary(actor, report)
    return report


IMPORTERS = {"enterprises": enterprises_import, "qualifications": qualifications_import}
TEMPLATES = {
    "enterprises": ("企业名录", ENTERPRISE_COLUMNS),
    "qualifications": ("资质清单", QUALIFICATION_COLUMNS),
}


ENTERPRISES = ImportKind(
    "enterprises", gettext_lazy("企业名录"), enterprises_import, ENTERPRISE_COLUMNS, "enterprises:list"
)
QUALIFICATIONS = ImportKind(
    "qualifications",
    gettext_lazy("资质清单"),
    qualifications_import,
    QUALIFICATION_COLUMNS,
    "enterprises:list",
)
