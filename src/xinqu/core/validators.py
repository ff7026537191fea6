from __future__ import annotations

import re
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters the password uses."""
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes}


# A mainland number as people write it: a mobile (11 digits from 13–19, perhaps after +86), a
# landline with its area code (0 and 2–3 digits, then 7–8 digits, perhaps an extension), or a
# 400/800 service number. Spaces and hyphens between groups are allowed.
_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}(?:(?:转|ext|x)\d{1,6})?")
_SERVICE = re.compile(r"[48]00\d{7}")


def phone_ok(value: str) -> bool:
    compact = re.sub(r"[\s\-()（）]", "", value.strip())
    return any(p.fullmatch(compact) for p in (_MOBILE, _LANDLINE, _SERVICE))


def validate_phone(value: str) -> None:
    """A Chinese telephone number: a mobile, or a landline with its area code."""
    if value and not phone_ok(value):
        raise ValidationError(
            _("请填写正确的电话号码：11 位手机号，或带区号的固定电话（如 0431-81234567）。"),
            code="phone",
        )
