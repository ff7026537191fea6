"""Walk the demo's pages as a user would, following the links each page offers, and collect the
text a person reads there: for the scan that no code, model name or dict reaches a user."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# What a person never reads on a page of ours.
RAW = [
    (re.compile(r"\b(?:core|enterprises|indicators|workflow|service_requests|safety|plans|projects|updates|auth)\.[A-Z]\w*"), "model name"),
    (re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"), "field name or code"),
    (re.compile(r"[{\[]\s*['\"]\w"), "dict or list"),
    (re.compile(r"\b(?:None|True|False)\b"), "Python value"),
    (re.compile(r"object at 0x"), "object"),
]  # fmt: skip
# On a Chinese page, a phrase in English is a code's note that never got its words.
ENGLISH = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,})+\b")
FILE_NAME = re.compile(r"\S+\.(?:xlsx|docx|pdf|csv)\b")
SKIP = (
    "logout",
    "export",
    "download",
    "/api/",
    "/static/",
    "/media/",
    "/admin/",
    ".xlsx",
    "template",
    "/i18n/",
)
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        self.text.extend(v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path), tuple(sorted(k for k, _v in parse_qsl(parts.query)))


def raw_codes(
    client: Any, *, start: str = "/", limit: int = 80, per_shape: int = 2, chinese: bool = False
) -> dict[str, list[str]]:
    """Crawl from ``start`` (at most ``limit`` pages, ``per_shape`` of each URL pattern) and return,
    by page, each piece of visible text that looks like a code."""
    found: dict[str, list[str]] = {}
    queue, seen, shapes = [start], {start}, {}
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        reader = _Reader()
        reader.feed(response.content.decode())
        for piece in reader.text:
            cleaned = FILE_NAME.sub("", piece)
            rules = [*RAW, (ENGLISH, "English words")] if chinese else RAW
            hits = [
                f"{what}: {m.group(0)!r} in {piece[:80]!r}"
                for rx, what in rules
                for m in rx.finditer(cleaned)
            ]
            if hits:
                found.setdefault(url, []).extend(hits)
        for link in reader.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or any(s in link for s in SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            shape = _shape(target)
            if target in seen or shapes.get(shape, 0) >= per_shape:
                continue
            seen.add(target)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(target)
    return found
