"""The Open311 GeoReport v2 wire format: XML (the spec's required format) or JSON, chosen by the
path's extension; the spec's error document for every status; W3C date-times with their zone.

The domain (which services, which requests, who sees what) lives in ``service_requests.open311``;
core keeps only the format, so that the server's own 500 and 503 under /open311/ answer in it too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

PREFIX = "/open311/"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# A list's XML element holds one child per item, named as the spec names them.
CHILD = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry, even escaped: dropped from the XML form only.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def path_format(path: str) -> str:
    """The format a GeoReport path asks for: XML when it ends in .xml, JSON otherwise."""
    return "xml" if path.lower().endswith(".xml") else "json"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value: Any, tag: str) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ElementTree.SubElement(element, key), inner, key)
    elif isinstance(value, list):
        child = CHILD.get(tag, "item")
        for inner in value:
            _fill(ElementTree.SubElement(element, child), inner, child)
    else:
        element.text = _text(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def response(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``data`` (a list of records, or one record) as the spec writes it: in XML under ``root``,
    in JSON as the bare list or object."""
    if fmt == "xml":
        element = ElementTree.Element(root)
        _fill(element, data, root)
        body = ElementTree.tostring(element, encoding="unicode")
        content = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    else:
        content = json.dumps(data, ensure_ascii=False, default=_json_default)
    return HttpResponse(content.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error document: ``<errors><error><code/><description/></error></errors>``."""
    return response(fmt, "errors", [{"code": status, "description": str(description)}], status=status)


def w3c(moment: dt.datetime | None) -> str | None:
    """A date-time in the zone's time, to the second, with its offset (2026-03-02T09:30:00+08:00)."""
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def end_of_day(day: dt.date | None) -> str | None:
    """A deadline day as the last second of that day in the zone's time."""
    if day is None:
        return None
    moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return moment.isoformat(timespec="seconds")


def parse_w3c(text: str) -> dt.datetime:
    """A W3C date-time (2026-03-02T09:30:00+08:00, …Z, or a bare date); without a zone, the
    zone's own time. Raises ValueError for anything else, years out of range included."""
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(value)
    if not 1900 <= moment.year <= 2999:
        raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
