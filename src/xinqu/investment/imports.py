"""An existing 招商台账 from a workbook, with the same rules as the pages: every row goes through
`services.lead_create` or `services.lead_update` (matched by 线索编号 when it is given), bad rows
are reported cell by cell, and all rows are written or none. The ledger's stage days (接洽 to
签约, with the contract) go through `services.lead_record_stages`; a workbook carries no gate
documents, so the lead's page then lists what its passed stages still lack. Landing is not
imported: it registers an enterprise and a project, and is done on the lead's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinqu.core.access import is_department_member
from xinqu.core.imports import Column, ImportReport, all_or_nothing, parse_bool, parse_date, read_records
from xinqu.core.jobs import ImportKind
from xinqu.core.models import User
from xinqu.core.numbers import parse_number
from xinqu.enterprises.models import IndustryNode
from xinqu.investment import services
from xinqu.investment.models import Currency, Lead, Origin, Referrer

Progress = Callable[[int], None]


def _amount(value: Any) -> Any:
    return parse_number(value)


LEAD_COLUMNS = [
    Column("线索编号", "code", max_length=20),
    Column("项目名称", "name", required=True, max_length=200),
    Column("目标企业", "company", required=True, max_length=200),
    Column("统一社会信用代码", "credit_code"),
    Column("资金来源地", "origin", required=True),
    Column("国别（地区）", "country", max_length=40),
    Column("线索来源", "source", required=True),
    Column("引荐方", "referrer"),
    Column("产业链环节", "chain_node"),
    Column("补链/延链/强链", "chain_role"),
    Column("链主企业", "chain_leader", parse=parse_bool),
    Column("高科技人才产业项目", "talent_project", parse=parse_bool),
    Column("币种", "currency"),
    Column("意向投资（万，原币）", "amount", required=True, parse=_amount, aliases=("意向投资",)),
    Column("登记日期", "on", parse=parse_date),
    Column("招商专员", "officer"),
    Column("接洽日期", "contact", parse=parse_date),
    Column("考察日期", "inspect", parse=parse_date),
    Column("洽谈日期", "negotiate", parse=parse_date),
    Column("签约日期", "signed", parse=parse_date),
    Column("合同投资额（万，原币）", "contract_amount", parse=_amount, aliases=("合同投资额",)),
    Column("约定落地日期", "land_by", parse=parse_date),
    Column("约定开工日期", "start_by", parse=parse_date),
]
STAGE_KEYS: list[str] = [Lead.Stage.CONTACT, Lead.Stage.INSPECT, Lead.Stage.NEGOTIATE, Lead.Stage.SIGNED]
HEADERS = {c.key: c.header for c in LEAD_COLUMNS}


def _choice(choices: list[tuple[str, Any]], text: str) -> str | None:
    """A choice by its Chinese label or its code."""
    for value, label in choices:
        if text in (value, str(label)):
            return value
    return None


def leads_import(
    *, actor: User, file: IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport(kind="investment_leads", dry_run=dry_run)
    if not is_department_member(actor):
        report.fatal = str(_("只有部门工作人员可以登记招商线索。"))
        return report
    team = User.objects.filter(department_id=actor.department_id or 0)
    officers = {u.full_name: u for u in team} | {u.username: u for u in team}
    with all_or_nothing(report):
        for number, record in read_records(file, LEAD_COLUMNS, report):
            if progress and number % 500 == 0:
                progress(number)
            problems: list[tuple[str, str]] = []
            fields: dict[str, Any] = {
                "name": record["name"],
                "company": record["company"],
                "credit_code": record.get("credit_code") or "",
                "country": record.get("country") or "",
                "amount": record["amount"],
                "chain_leader": bool(record.get("chain_leader")),
                "talent_project": bool(record.get("talent_project")),
                "chain_role": "",
                "referrer": None,
                "chain_node": None,
                "officer": None,
            }
            for key, choices in (("origin", Origin.choices), ("source", Lead.Source.choices)):
                fields[key] = _choice(choices, record[key])
                if fields[key] is None:
                    problems.append(
                        (key, _("应为：%(o)s") % {"o": "、".join(str(label) for _v, label in choices)})
                    )
            fields["currency"] = _choice(Currency.choices, record.get("currency") or "CNY")
            if fields["currency"] is None:
                problems.append(("currency", _("应为：%(o)s") % {"o": "、".join(Currency.values)}))
            if record.get("chain_role"):
                fields["chain_role"] = _choice(Lead.ChainRole.choices, record["chain_role"])
                if fields["chain_role"] is None:
                    problems.append(("chain_role", _("应为：补链、延链或强链")))
            if record.get("referrer"):
                fields["referrer"] = Referrer.objects.filter(name=record["referrer"]).first()
                if fields["referrer"] is None:
                    problems.append(
                        ("referrer", _("没有登记这个招商机构或大使：%(n)s") % {"n": record["referrer"]})
                    )
            if record.get("chain_node"):
                found = list(IndustryNode.objects.filter(kind="node", name=record["chain_node"])[:2])
                if len(found) != 1:
                    problems.append(
                        ("chain_node", _("没有这个链环节，或有重名：%(n)s") % {"n": record["chain_node"]})
                    )
                fields["chain_node"] = found[0] if found else None
            if record.get("officer"):
                fields["officer"] = officers.get(record["officer"])
                if fields["officer"] is None:
                    problems.append(("officer", _("本团队没有这位专员：%(n)s") % {"n": record["officer"]}))
            existing = None
            if record.get("code"):
                existing = Lead.objects.filter(Q(code=record["code"])).first()
                if existing is None:
                    problems.append(("code", _("没有这个线索编号；新线索请留空，系统自动编号。")))
            dates = {stage: record[stage] for stage in STAGE_KEYS if record.get(stage)}
            contract = {key: record.get(key) for key in ("contract_amount", "land_by", "start_by")}
            if Lead.Stage.SIGNED not in dates:
                for key, value in contract.items():
                    if value is not None:
                        problems.append((key, _("只有填写了签约日期的线索才填写这一列。")))
            elif contract["contract_amount"] is None:
                problems.append(("contract_amount", _("签约须填写合同投资额。")))
            if problems:
                for key, reason in problems:
                    report.add_error(number, HEADERS.get(key, key), str(record.get(key) or ""), reason)
                continue
            try:
                if existing is None:
                    saved = services.lead_create(actor=actor, on=record.get("on"), **fields)
                    report.created += 1
                else:
                    saved = services.lead_update(actor=actor, lead=existing, **fields)
                    report.updated += 1
                saved = services.lead_record_stages(actor=actor, lead=saved, dates=dates, **contract)
            except (ValidationError, PermissionDenied) as exc:
                _errors(report, number, exc)
                continue
            if len(report.preview) < 20:
                report.preview.append({"row": number, "code": saved.code, "name": saved.name})
    return report


def _errors(report: ImportReport, number: int, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        report.add_error(number, "", "", str(exc))
        return
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for field, messages in items:
        report.add_error(number, HEADERS.get(field, field), "", "；".join(messages))


LEADS = ImportKind(
    "investment_leads", gettext_lazy("招商台账"), leads_import, LEAD_COLUMNS, "investment:list"
)
