"""A GeoReport v2 client written from the spec (http://wiki.open311.org/GeoReport_v2), not from
our code: it asks for a format by the extension, checks the content type, the XML declaration and
the element names the spec gives, reads XML and JSON into the same records, and holds every error
to the spec's error document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
CONTENT_TYPE = {"xml": "text/xml", "json": "application/json"}
# The spec's element names: a list's root, and each item in it.
ROOTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


def _plain(value: Any) -> str:
    """A JSON value as XML would carry it, so that the two formats compare."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


LISTS = {"attributes", "values", "endpoints", "formats"}  # the spec's nested lists


def _element(node: ElementTree.Element) -> Any:
    if node.tag in LISTS:
        return [_element(c) for c in node]
    children = list(node)
    return {c.tag: _element(c) for c in children} if children else node.text or ""


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return [_flat(v) for v in value]
    if isinstance(value, dict):
        return {k: _flat(v) for k, v in value.items()}
    return _plain(value)


@dataclass
class Answer:
    status: int
    body: Any  # records as strings, whichever the format
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str:
        assert self.status >= 400, self.status
        return self.body[0]["description"]


class GeoReportClient:
    def __init__(self, http: Any, fmt: str = "xml", base: str = "/open311/v2/", **headers: str) -> None:
        self.http, self.fmt, self.base, self.headers = http, fmt, base, headers

    def _read(self, response: Any, root: str | None) -> Answer:
        kind = response["Content-Type"]
        assert kind.startswith(CONTENT_TYPE[self.fmt]) and "charset=utf-8" in kind.lower(), kind
        text = response.content.decode("utf-8")
        if self.fmt == "xml":
            assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>'), text[:60]
            tree = ElementTree.fromstring(text.split("?>", 1)[1].strip())
            if response.status_code >= 400:
                root = "errors"
            if root in ROOTS:
                outer, inner = ROOTS[root]
                assert tree.tag == outer, tree.tag
                assert all(child.tag == inner for child in tree), [c.tag for c in tree]
                body: Any = [{c.tag: _element(c) for c in child} for child in tree]
            else:
                assert tree.tag == root, tree.tag
                body = {c.tag: _element(c) for c in tree}
        else:
            body = _flat(json.loads(text))
        if response.status_code >= 400:
            assert isinstance(body, list) and len(body) == 1, body
            assert set(body[0]) == {"code", "description"}, body
            assert body[0]["code"] == str(response.status_code) and body[0]["description"], body
        return Answer(response.status_code, body, dict(response.items()))

    def get(self, resource: str, root: str | None = None, **params: str) -> Answer:
        url = f"{self.base}{resource}.{self.fmt}"
        return self._read(self.http.get(url, params, headers=self.headers), root)

    def services(self) -> Answer:
        answer = self.get("services", "services")
        for service in answer.body if answer.status == 200 else []:
            assert set(service) == SERVICE_FIELDS, service
            assert service["type"] in {"realtime", "batch", "blackbox"}
        return answer

    def definition(self, code: str) -> Answer:
        return self.get(f"services/{code}", "service_definition")

    def requests(self, **params: str) -> Answer:
        return self._requests(self.get("requests", "requests", **params))

    def request(self, number: str) -> Answer:
        return self._requests(self.get(f"requests/{number}", "requests"))

    def _requests(self, answer: Answer) -> Answer:
        for record in answer.body if answer.status == 200 else []:
            assert set(record) <= REQUEST_FIELDS and {"service_request_id", "status"} <= set(record), record
            assert record["status"] in {"open", "closed"}
            for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
                assert record.get(name, "") == "" or W3C.match(record[name]), (name, record[name])
        return answer

    def file(self, **fields: str) -> Answer:
        url = f"{self.base}requests.{self.fmt}"
        answer = self._read(self.http.post(url, fields, headers=self.headers), "requests")
        if answer.status in {200, 201}:
            assert len(answer.body) == 1 and answer.body[0]["service_request_id"], answer.body
        return answer
