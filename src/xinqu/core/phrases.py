"""Words kept as their message and its values, so each reader sees them in their own language.

A notification is written once, by whoever's action sends it, but read later by someone else,
perhaps in English. So a notification keeps the untranslated message (marked with
``gettext_noop`` so it is extracted) and its values, and is put into words when it is shown.

    notify(user=u, key=k, title=Phrase(gettext_noop("督办：%(title)s"), title=item.title))

A value that has a name in each language (a qualification kind, say) is given as
``Phrase.names(name, name_en)`` and shows the reader's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext, override


class Phrase:
    """An untranslated message and its values; ``str()`` gives it in the active language."""

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = {k: _plain(v) for k, v in values.items()}

    @staticmethod
    def names(name: str, name_en: str = "") -> dict[str, str]:
        """A value with a name per language: the Chinese one, and the English one if there is one."""
        return {"zh-hans": name, "en": name_en or name}

    def stored(self) -> dict[str, Any]:
        return {"message": self.message, "values": self.values}

    def __str__(self) -> str:
        return shown(self.stored())

    def in_zone_language(self) -> str:
        """In the zone's own language: what the notice's text column and its mail carry."""
        with override(settings.LANGUAGE_CODE):
            return str(self)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, dict)):
        return value
    return str(value)


def shown(stored: dict[str, Any]) -> str:
    """A stored phrase put into words in the active language."""
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    values = {
        k: (v.get(language) or v.get("zh-hans", "")) if isinstance(v, dict) else v
        for k, v in (stored.get("values") or {}).items()
    }
    text = gettext(stored.get("message", ""))
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder falls back to the original message.
        return stored.get("message", "") % values if values else stored.get("message", "")
