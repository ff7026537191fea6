from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from openpyxl import Workbook

from xinqu.core.models import OrgUnit
from xinqu.demo.generator import credit_code
from xinqu.enterprises.models import Enterprise, IndustryNode, QualificationKind
from xinqu.enterprises.services import enterprise_create

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "曾用名",
    "功能区",
    "园区",
    "行业代码",
    "企业规模",
    "是否规上",
    "入规年份",
    "成立日期",
    "联系人",
    "联系电话",
    "无事不扰",
    "产业链环节",
]


@pytest.fixture
def codes() -> Callable[[int], list[str]]:
    import random

    def make(n: int, seed: int = 7) -> list[str]:
        rng = random.Random(seed)
        out: list[str] = []
        while len(out) < n:
            code = credit_code(rng)
            if code not in out:
                out.append(code)
        return out

    return make


@pytest.fixture
def parks(zone: OrgUnit) -> dict[str, OrgUnit]:
    gaoxin = OrgUnit.objects.get(code="gaoxin")
    beihu = OrgUnit.objects.create(kind="area", code="beihu", name="北湖区", parent=zone)
    return {
        "gaoxin": gaoxin,
        "beihu": beihu,
        "optics": OrgUnit.objects.get(code="optics"),
        "sensor": OrgUnit.objects.create(kind="park", code="sensor", name="传感器产业园", parent=beihu),
    }


@pytest.fixture
def chain(db: Any) -> dict[str, IndustryNode]:
    cluster = IndustryNode.objects.create(kind="cluster", name="光电信息")
    chain = IndustryNode.objects.create(kind="chain", name="传感器", parent=cluster)
    return {
        "cluster": cluster,
        "chain": chain,
        "up": IndustryNode.objects.create(kind="node", name="敏感材料", parent=chain, segment="up"),
        "mid": IndustryNode.objects.create(kind="node", name="MEMS 传感器", parent=chain, segment="mid"),
        "down": IndustryNode.objects.create(kind="node", name="物联网应用", parent=chain, segment="down"),
    }


@pytest.fixture
def make_enterprise(econ_staff: Any, codes: Callable[[int], list[str]]) -> Callable[..., Enterprise]:
    pool = iter(codes(200, seed=99))

    def make(name: str = "长春光电测试有限公司", **fields: Any) -> Enterprise:
        actor = fields.pop("actor", econ_staff)
        return enterprise_create(
            actor=actor, credit_code=fields.pop("credit_code", next(pool)), name=name, **fields
        )

    return make


@pytest.fixture
def kind() -> Callable[[str], QualificationKind]:
    return lambda code: QualificationKind.objects.get(code=code)


def xlsx(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def row(code: str, name: str, **overrides: Any) -> list[Any]:
    values = dict(
        zip(
            HEADERS,
            [
                code,
                name,
                "",
                "高新区",
                "长智光谷",
                "C3670",
                "小型",
                "否",
                "",
                "2015-03-01",
                "张三",
                "13800000000",
                "否",
                "",
            ],
            strict=True,
        )
    )
    values.update(overrides)
    return [values[h] for h in HEADERS]
