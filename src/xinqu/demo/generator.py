"""Seeded generators of plausible enterprises, shared by the demo zone and `xinqu bench`.

Nothing here is read from a file: the same seed always gives the same zone."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence

from xinqu.enterprises.codes import CREDIT_ALPHABET, credit_check_char
from xinqu.enterprises.models import Enterprise, SizeClass

# Administrative division codes of Changchun's districts (public GB/T 2260 codes).
DIVISIONS = [
    "220101",
    "220102",
    "220103",
    "220104",
    "220105",
    "220106",
    "220112",
    "220113",
    "220122",
    "220171",
]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

WORDS_A = [
    "长光",
    "吉联",
    "北湖",
    "春城",
    "一汽",
    "华研",
    "中科",
    "鑫源",
    "龙嘉",
    "金桥",
    "博远",
    "亚泰",
    "天衡",
    "瑞祥",
    "聚材",
    "同创",
    "安信",
    "恒泰",
    "卓越",
    "新元",
    "启明",
    "远航",
    "康达",
    "海创",
    "星图",
    "凯瑞",
    "正和",
    "宏达",
    "德诚",
    "汇川",
]
WORDS_B = [
    "光电",
    "生物",
    "医药",
    "智能",
    "精密",
    "材料",
    "汽车部件",
    "装备",
    "信息",
    "科技",
    "化工",
    "传感",
    "航空",
    "数据",
    "电子",
    "新能源",
    "软件",
    "检测",
    "农业",
    "物流",
    "食品",
    "环保",
    "激光",
    "机器人",
]
SUFFIXES = ["科技有限公司", "有限公司", "股份有限公司", "技术有限公司", "制造有限公司", "研究院有限公司"]
INDUSTRIES = [
    "C3670",
    "C2710",
    "C2720",
    "C3976",
    "C3974",
    "C3562",
    "C2614",
    "C3311",
    "I6513",
    "M7320",
    "C4028",
    "C3831",
    "F5179",
    "G5821",
    "C3969",
    "C2661",
    "I6520",
    "M7520",
    "C3484",
    "C3922",
]
SIZE_WEIGHTS = [(SizeClass.MICRO, 62), (SizeClass.SMALL, 28), (SizeClass.MEDIUM, 8), (SizeClass.LARGE, 2)]


def credit_code(rng: random.Random) -> str:
    """A random, well-formed 统一社会信用代码 (registration authority 9 = market regulation, type 1 = enterprise)."""
    body = "91" + rng.choice(DIVISIONS) + "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    assert all(ch in CREDIT_ALPHABET for ch in body)
    return body + credit_check_char(body)


def company_name(rng: random.Random, index: int) -> str:
    # The index keeps names unique however many are drawn.
    return f"长春{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}{index:05d}{rng.choice(SUFFIXES)}"


def enterprises(
    *, count: int, seed: int, department_id: int, parks: Sequence[tuple[int, int]], start: int = 0
) -> Iterator[Enterprise]:
    """``count`` unsaved enterprises; ``parks`` are (park id, area id) pairs to spread them over."""
    rng = random.Random(seed)
    sizes, weights = zip(*SIZE_WEIGHTS, strict=True)
    seen: set[str] = set()
    for index in range(start, start + count):
        code = credit_code(rng)
        while code in seen:
            code = credit_code(rng)
        seen.add(code)
        park_id, area_id = rng.choice(parks) if parks and rng.random() < 0.7 else (None, None)
        size = rng.choices(sizes, weights)[0]
        above = size in (SizeClass.LARGE, SizeClass.MEDIUM) or (
            size == SizeClass.SMALL and rng.random() < 0.08
        )
        established = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 28 * 365))
        yield Enterprise(
            credit_code=code,
            name=company_name(rng, index),
            area_id=area_id,
            park_id=park_id,
            industry_code=rng.choice(INDUSTRIES),
            size_class=size,
            established_on=established,
            above_scale=above,
            above_scale_year=rng.randint(max(established.year, 2011), 2023) if above else None,
            is_quiet=rng.random() < 0.03,
            contact_name=rng.choice("王李张刘陈杨赵黄周吴")
            + rng.choice(["经理", "主任", "总", "女士", "先生"]),
            contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            department_id=department_id,
        )


def day_in(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
    start = dt.date(year, first_month, 1)
    end = dt.date(year, last_month, 28)
    return start + dt.timedelta(days=rng.randrange(0, (end - start).days + 1))
