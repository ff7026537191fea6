"""Validation of the national codes an enterprise carries.

- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (digits and the
  capitals without I, O, S, V, Z); the last is a check character over the first 17.
- 国民经济行业分类 (GB/T 4754-2017): a section letter A–T, optionally followed by the 2-digit
  division, 3-digit group or 4-digit class, whose division must lie in the section's range.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_credit_code(value: str) -> None:
    """Raise ValidationError naming what is wrong: length, a character, or the check character."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，“%(code)s”为 %(n)d 位。") % {"code": code, "n": len(code)},
            code="credit_length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _CREDIT_VALUE:
            raise ValidationError(
                _("统一社会信用代码第 %(pos)d 位“%(ch)s”不是允许的字符（不用 I、O、S、V、Z）。")
                % {"pos": position, "ch": ch},
                code="credit_char",
            )
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码“%(code)s”校验位错误：第 18 位应为“%(expected)s”。")
            % {"code": code, "expected": expected},
            code="credit_check",
        )


# Sections of GB/T 4754-2017 with the range of their 2-digit divisions.
INDUSTRY_SECTIONS: dict[str, tuple[int, int, str]] = {
    "A": (1, 5, "农、林、牧、渔业"),
    "B": (6, 12, "采矿业"),
    "C": (13, 43, "制造业"),
    "D": (44, 46, "电力、热力、燃气及水生产和供应业"),
    "E": (47, 50, "建筑业"),
    "F": (51, 52, "批发和零售业"),
    "G": (53, 60, "交通运输、仓储和邮政业"),
    "H": (61, 62, "住宿和餐饮业"),
    "I": (63, 65, "信息传输、软件和信息技术服务业"),
    "J": (66, 69, "金融业"),
    "K": (70, 70, "房地产业"),
    "L": (71, 72, "租赁和商务服务业"),
    "M": (73, 75, "科学研究和技术服务业"),
    "N": (76, 79, "水利、环境和公共设施管理业"),
    "O": (80, 82, "居民服务、修理和其他服务业"),
    "P": (83, 83, "教育"),
    "Q": (84, 85, "卫生和社会工作"),
    "R": (86, 90, "文化、体育和娱乐业"),
    "S": (91, 96, "公共管理、社会保障和社会组织"),
    "T": (97, 97, "国际组织"),
}
_INDUSTRY_RE = re.compile(r"^([A-T])(\d{2,4})?$")


def validate_industry_code(value: str) -> None:
    code = (value or "").strip().upper()
    match = _INDUSTRY_RE.match(code)
    if not match:
        raise ValidationError(
            _("行业代码“%(code)s”格式不对：应为门类字母 A–T 加 2–4 位数字，如 C3670。") % {"code": value},
            code="industry_format",
        )
    section, digits = match.groups()
    if digits:
        low, high, name = INDUSTRY_SECTIONS[section]
        division = int(digits[:2])
        if not low <= division <= high:
            raise ValidationError(
                _(
                    "行业代码“%(code)s”的大类 %(div)02d 不属于门类 %(section)s（%(name)s，%(low)02d–%(high)02d）。"
                )
                % {"code": code, "div": division, "section": section, "name": name, "low": low, "high": high},
                code="industry_division",
            )


def industry_section_name(code: str) -> str:
    section = (code or "")[:1].upper()
    return INDUSTRY_SECTIONS[section][2] if section in INDUSTRY_SECTIONS else ""
