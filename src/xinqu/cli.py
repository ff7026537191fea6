"""The ``xinqu`` console script: Django's management commands plus Xinqu's own."""

from __future__ import annotations

import os
import sys


def command_name(word: str) -> str:
    """Our commands read better hyphenated on the command line (``xinqu recount-metrics``);
    their modules use underscores. Either spelling works for every command."""
    return word if word.startswith("-") else word.replace("-", "_")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinqu.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        # A configuration mistake deserves one sentence, not a traceback.
        print(f"xinqu: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = command_name(args[0])
    execute_from_command_line(["xinqu", *args])


if __name__ == "__main__":
    main()
