"""The ``xinqu`` console script: Django's management commands plus Xinqu's own."""

from __future__ import annotations

import os
import sys

# Our commands read better hyphenated on the command line; their modules use underscores.
_ALIASES = {"api-token": "api_token", "audit-purge": "audit_purge"}


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
    if args and args[0] in _ALIASES:
        args[0] = _ALIASES[args[0]]
    execute_from_command_line(["xinqu", *args])


if __name__ == "__main__":
    main()
