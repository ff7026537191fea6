from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get:key }}``: a dict lookup with a variable key; None when absent."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None
