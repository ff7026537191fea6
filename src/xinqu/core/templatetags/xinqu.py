from typing import Any

from django import template

from xinqu.core import numbers, workdays

register = template.Library()


@register.filter
def estimated_deadline(day: Any) -> int | None:
    """``{% if item.due_on|estimated_deadline %}``: the last year of holiday arrangements entered
    when ``day`` lies beyond it (the deadline is then counted Monday to Friday), else None."""
    cal = workdays.calendar()
    return None if cal.knows(day) else (cal.last_year or 0)


@register.filter
def step_fields(form: Any, action: str) -> Any:
    """The fields a workflow step's form shows for ``action`` (core.forms.StepForm)."""
    return form.fields_for(action)


@register.filter
def bound_action(actions: Any) -> str:
    """Of an action box's (transition, form) pairs, the action whose form was just submitted (to
    show it again with its errors), else the first."""
    pairs = list(actions or [])
    for transition, form in pairs:
        if form.is_bound:
            return str(transition.action)
    return str(pairs[0][0].action) if pairs else ""


@register.filter
def unit(value: Any) -> str:
    """A unit as the reader's language writes it (亿元 is "100 m yuan" in English)."""
    return numbers.unit_label(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get:key }}``: a dict lookup with a variable key; None when absent."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def amount(value: Any, decimals: int = 1) -> str:
    """``{{ value|amount:2 }}``: digit grouping and fixed decimals; "–" when unknown."""
    return numbers.amount(value, int(decimals))


@register.filter
def growth(value: Any) -> str:
    """``{{ rate|growth }}``: 增长 7.2% / 下降 3.1%."""
    return numbers.growth(value)


@register.filter
def in_unit(value: Any, unit: str) -> str:
    """``{{ s.target|in_unit:s.node.unit }}``: 845 户, 7.5 %, 3,007.00 万美元 (decimals by unit)."""
    return numbers.amount(value, numbers.places_for(unit))


@register.filter
def change_points(value: Any) -> str:
    """``{{ row.change_pp|change_points }}``: 提高 1.2 个百分点."""
    return numbers.change_points(value)


@register.filter
def points(value: Any) -> str:
    """``{{ gap|points }}``: 超 2.1 个百分点 / 落后 3.4 个百分点."""
    return numbers.points(value)


@register.filter
def percent(value: Any) -> str:
    """``{{ share|percent }}``: 35.7%."""
    return "–" if value is None else f"{numbers.amount(value, 1)}%"


@register.filter
def localized(obj: Any, language: str | None = None) -> str:
    """``{{ unit|localized:LANGUAGE_CODE }}``: the English name on English pages where one is kept."""
    return str(obj.display_name(language)) if hasattr(obj, "display_name") else str(obj)


@register.filter
def plain(value: Any) -> str:
    """``{{ decimal|plain }}``: the number as typed back into a form, without exponent or padding."""
    return numbers.plain(value)
