"""The indicators' pure rules: derived indicators' formulas (+ − × ÷ of codes and numbers), read
safely with ``ast`` and never ``eval``."""

from __future__ import annotations

import ast
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant)
_ALLOWED_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd)


def formula_codes(formula: str) -> set[str]:
    """The indicator codes a formula uses. Raises ValidationError for anything but + − × ÷ of
    codes and numbers."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise ValidationError(
            {"formula": _("公式写法有误，只能用指标编码、数字、+ - * / 和括号。")}
        ) from None
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.operator | ast.unaryop):
            if not isinstance(node, _ALLOWED_OPS):
                raise ValidationError({"formula": _("公式只能用 + - * / 四则运算。")})
        elif not isinstance(node, _ALLOWED_NODES):
            raise ValidationError({"formula": _("公式写法有误，只能用指标编码、数字、+ - * / 和括号。")})
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ValidationError({"formula": _("公式中只能出现数字常量。")})
        if isinstance(node, ast.Name):
            codes.add(node.id)
    return codes


_WORDS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}


def formula_in_words(formula: str, names: dict[str, str]) -> str:
    """The formula as people read it: each code by its indicator's name, × and ÷ for * and /
    ("产业项目投资 ÷ 项目投资 × 100")."""

    def words(node: ast.AST, parent: int = 0) -> str:
        if isinstance(node, ast.Expression):
            return words(node.body)
        if isinstance(node, ast.Name):
            return names.get(node.id, node.id)
        if isinstance(node, ast.Constant):
            return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
        if isinstance(node, ast.UnaryOp):
            return ("−" if isinstance(node.op, ast.USub) else "") + words(node.operand, 3)
        if isinstance(node, ast.BinOp):
            rank = 2 if isinstance(node.op, ast.Mult | ast.Div) else 1
            text = f"{words(node.left, rank)} {_WORDS[type(node.op)]} {words(node.right, rank + 1)}"
            return f"（{text}）" if rank < parent else text
        return ""

    return words(ast.parse(formula, mode="eval"))


def formula_with_codes(formula: str, codes: dict[str, str]) -> str:
    """A formula written with indicators' names ("产业项目投资 / 项目投资 * 100", names may hold
    "：") in codes, as it is kept; one that does not parse is returned as it is, for the check to
    name its fault."""
    plain = formula.translate({ord(a): b for a, b in zip("×÷−（）", "*/-()", strict=True)})
    for name in sorted(codes, key=len, reverse=True):  # 其中：产业项目完成投资 before 完成投资
        if name and name != codes[name]:
            plain = plain.replace(name, f" {codes[name]} ")
    try:
        return ast.unparse(ast.parse(plain.strip(), mode="eval"))
    except SyntaxError:
        return formula


def evaluate_formula(formula: str, values: dict[str, Decimal | None]) -> Decimal | None:
    """The formula's value, or None when an operand is unknown or a divisor is zero."""

    def walk(node: ast.AST) -> Decimal | None:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            return values.get(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = walk(node.operand)
            return None if operand is None else (-operand if isinstance(node.op, ast.USub) else operand)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            return None if right == 0 else left / right
        return None

    return walk(ast.parse(formula, mode="eval"))
