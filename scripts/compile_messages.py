"""Compile src/xinqu/locale/*/LC_MESSAGES/django.po into .mo files with polib (no GNU gettext needed).

Run by `make messages`; a test checks that the committed .mo files match their .po files.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src" / "xinqu" / "locale"


def main() -> None:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(LOCALE)}")


if __name__ == "__main__":
    main()
