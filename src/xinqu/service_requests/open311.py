"""Service requests as Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), in XML and
JSON, so that existing civic-tech clients can file and follow them.

- GET discovery, services and a service's definition (its attributes): open to all.
- POST requests: no login, rate-limited like the public form. A location (lat and long, or
  address_string) and a way back (phone or e-mail) are required; both are kept and returned.
- GET requests and requests/<id>: signed-in staff (session, or an API token as
  ``Authorization: Bearer …`` or ``api_key``) read in full the requests their pages show them.
  Everyone else reads only what the zone publishes (``Publication``: category, status, dates,
  and, if it chooses, the handling department), never an enterprise's name or words.
- Every refusal, 404 and 405 included, is the spec's error document in the asked format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xinqu.api import BearerToken
from xinqu.core import georeport
from xinqu.core.access import is_business
from xinqu.core.audit import client_address
from xinqu.service_requests import services
from xinqu.service_requests.flow import KIND
from xinqu.service_requests.models import Category, Publication, ServiceRequest
from xinqu.service_requests.selectors import requests_for

SPEC = "http://wiki.open311.org/GeoReport_v2"
WINDOW = dt.timedelta(days=90)  # the spec's default span, and the longest one may ask for
LIMIT = 1000


class Refusal(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A GeoReport view: other methods get 405, and a ``Refusal`` becomes the spec's error."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                refused = georeport.error(
                    fmt, 405, _("不支持 %(method)s，请用 %(allowed)s。") % {
                        "method": request.method, "allowed": "、".join(methods)
                    }
                )  # fmt: skip
                refused["Allow"] = ", ".join(methods)
                return refused
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Refusal as refusal:
                return georeport.error(fmt, refusal.status, refusal.description)

        return run

    return wrap


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return georeport.error(
        georeport.path_format(request.path),
        404,
        _("没有这个 Open311 地址：可用的有 discovery、services、requests（.xml 或 .json）。"),
    )


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return georeport.response(
        fmt,
        "discovery",
        {
            "changeset": "2026-12-04T00:00:00+08:00",
            "contact": _("企业服务中心"),
            "key_service": _("提交诉求无需密钥；查看全部诉求请登录或使用 API 令牌。"),
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": "2026-12-04T00:00:00+08:00",
                    "type": "production",
                    "formats": list(georeport.CONTENT_TYPES.values()),
                }
            ],
        },
    )


@endpoint("GET")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return georeport.response(
        fmt,
        "services",
        [
            {
                "service_code": str(c.pk),
                "service_name": c.name,
                "description": _("办理时限 %(n)d 个工作日") % {"n": c.time_limit},
                "metadata": True,
                "type": "realtime",
                "keywords": c.name_en,
                "group": _("企业诉求"),
            }
            for c in Category.objects.all()
        ],
    )


def _attributes() -> list[dict[str, Any]]:
    """What a filing may carry beyond the spec's own fields, as ``attribute[code]``."""
    return [
        {
            "variable": True,
            "code": "enterprise_name",
            "datatype": "string",
            "required": False,
            "datatype_description": _("不超过 120 个字；不填时用联系人姓名"),
            "order": 1,
            "description": _("企业名称"),
        },
        {
            "variable": True,
            "code": "credit_code",
            "datatype": "string",
            "required": False,
            "datatype_description": _("18 位统一社会信用代码，填写后关联企业名录"),
            "order": 2,
            "description": _("统一社会信用代码"),
        },
    ]


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not code.isdigit() or not Category.objects.filter(pk=int(code)).exists():
        raise Refusal(404, _("没有代码为 %(code)s 的诉求类别（见 services）。") % {"code": code[:20]})
    return georeport.response(fmt, "service_definition", {"service_code": code, "attributes": _attributes()})


# --- Requests -------------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    """The signed-in staff member, by session, bearer token or ``api_key``; else None."""
    user = request.user if request.user.is_authenticated else None
    if user is None:
        header = request.headers.get("Authorization", "")
        key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        key = key or request.GET.get("api_key", "").strip()
        if key:
            user = BearerToken().authenticate(request, key)
    return user if is_business(user) else None


def _publication() -> str:
    return Publication.objects.values_list("level", flat=True).first() or Publication.Level.BASIC


def _record(sr: ServiceRequest, *, full: bool, level: str) -> dict[str, Any]:
    """One request as the spec lists it; ``full`` for a reader who may see the request itself,
    else only what the zone publishes."""
    item = sr.item
    shows_agency = full or level == Publication.Level.AGENCY
    return {
        "service_request_id": item.number,
        "status": "closed" if item.state in KIND.closed else "open",
        "status_notes": str(KIND.states.get(item.state, item.state)),
        "service_name": sr.category.name,
        "service_code": str(sr.category_id),
        "description": sr.description if full else "",
        "agency_responsible": item.department.name if shows_agency and item.department else "",
        "service_notice": "",
        "requested_datetime": georeport.w3c(item.opened_at),
        "updated_datetime": georeport.w3c(getattr(sr, "last_event_at", None) or item.opened_at),
        "expected_datetime": georeport.end_of_day(item.due_on),
        "address": sr.address if full else "",
        "address_id": "",
        "zipcode": "",
        "lat": sr.latitude if full else None,
        "long": sr.longitude if full else None,
        "media_url": "",
    }


def _listed(user: Any) -> tuple[QuerySet[ServiceRequest], set[int] | None, str]:
    """What the reader may list, the ids among them they may read in full (None: all), and the
    zone's publication level. Refuses a reader who may list nothing."""
    level = _publication()
    if level == Publication.Level.NONE:
        if user is None:
            raise Refusal(403, _("本区不对外公开诉求：请登录或使用 API 令牌后查看。"))
        return requests_for(user), None, level
    return ServiceRequest.objects.select_related("item", "item__department", "category"), set(), level


def _records(user: Any, found: QuerySet[ServiceRequest], full_ids: set[int] | None, level: str) -> list[dict]:
    rows = list(found.annotate(last_event_at=Max("item__events__at"))[:LIMIT])
    if full_ids is not None and user is not None:
        full_ids = set(requests_for(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    return [_record(r, full=full_ids is None or r.pk in full_ids, level=level) for r in rows]


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _window(start_text: str, end_text: str) -> tuple[dt.datetime, dt.datetime]:
    """The span asked for: the last 90 days by default; from or to one end, 90 days on."""
    try:
        start = georeport.parse_w3c(start_text) if start_text else None
        end = georeport.parse_w3c(end_text) if end_text else None
    except ValueError:
        raise Refusal(
            400, _("start_date/end_date 须为带时区的 W3C 时间，如 2026-03-01T00:00:00+08:00。")
        ) from None
    if start is None:
        end = end or timezone.now()
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise Refusal(400, _("end_date 不能早于 start_date。"))
    if end - start > WINDOW:
        raise Refusal(400, _("一次最多查询 90 天：请缩短 start_date 到 end_date 的时间范围。"))
    return start, end


@endpoint("GET", "POST")
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    user = _staff(request)
    found, full_ids, level = _listed(user)
    numbers = _codes(request.GET.get("service_request_id", ""))
    if numbers:  # the spec: a list of ids overrides every other filter
        found = found.filter(item__number__in=numbers[:LIMIT])
    else:
        start, end = _window(request.GET.get("start_date", ""), request.GET.get("end_date", ""))
        found = found.filter(item__opened_at__gte=start, item__opened_at__lte=end)
        codes = _codes(request.GET.get("service_code", ""))
        if any(not c.isdigit() or len(c) > 9 for c in codes):
            raise Refusal(400, _("service_code 须为诉求类别代码，多个用逗号分隔（见 services）。"))
        if codes:
            found = found.filter(category_id__in=[int(c) for c in codes])
        statuses = set(_codes(request.GET.get("status", "")))
        if statuses - {"open", "closed"}:
            raise Refusal(400, _("status 只能是 open、closed，多个用逗号分隔。"))
        if statuses == {"open"}:
            found = found.exclude(item__state__in=KIND.closed)
        elif statuses == {"closed"}:
            found = found.filter(item__state__in=KIND.closed)
    found = found.order_by("-item__opened_at")
    return georeport.response(fmt, "service_requests", _records(user, found, full_ids, level))


@endpoint("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    user = _staff(request)
    try:
        found, full_ids, level = _listed(user)
    except Refusal:
        raise Refusal(404, _("没有这个诉求，或您无权查看。")) from None
    records = _records(user, found.filter(item__number=number), full_ids, level)
    if not records:
        raise Refusal(404, _("没有这个诉求，或您无权查看。"))
    return georeport.response(fmt, "service_requests", records)


def _degrees(value: str, name: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise Refusal(400, _("%(name)s 须为以度表示的数字，如 43.8868。") % {"name": name}) from None
    if not number.is_finite():
        raise Refusal(400, _("%(name)s 须为以度表示的数字，如 43.8868。") % {"name": name})
    return number.quantize(Decimal("0.000001"))


FIELDS = {  # a service's field → the spec's argument, for the error a client can act on
    "contact_phone": "phone",
    "contact_email": "email",
    "contact_name": "first_name",
    "enterprise_name": "attribute[enterprise_name]",
    "credit_code": "attribute[credit_code]",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
}


def _in_words(exc: ValidationError) -> str:
    messages: Iterable[tuple[str, list[str]]] = (
        exc.message_dict.items() if hasattr(exc, "error_dict") else [("request", exc.messages)]
    )
    return "; ".join(f"{FIELDS.get(field, field)}: {' '.join(m)}" for field, m in messages)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    if not services.public_filing_allowed(address=client_address(request)):
        raise Refusal(429, _("该地址提交过于频繁，请十分钟后再试。"))
    data = request.POST
    code = data.get("service_code", "").strip()
    category = Category.objects.filter(pk=int(code)).first() if code.isdigit() and len(code) < 10 else None
    if category is None:
        raise Refusal(400, _("service_code：没有这个诉求类别（见 services）。"))
    latitude, longitude = _degrees(data.get("lat", ""), "lat"), _degrees(data.get("long", ""), "long")
    address = data.get("address_string", "").strip()
    if latitude is None and longitude is None and not address:
        raise Refusal(
            400,
            _("请给出位置：lat 和 long，或 address_string。")
            if not data.get("address_id")
            else _("本系统不使用 address_id：请给出 lat 和 long，或 address_string。"),
        )
    name = " ".join(p.strip() for p in (data.get("first_name", ""), data.get("last_name", "")) if p.strip())
    email, phone = data.get("email", "").strip(), data.get("phone", "").strip()
    try:
        sr, token = services.request_file(
            actor=None,
            category=category,
            enterprise_name=data.get("attribute[enterprise_name]", "").strip() or name,
            credit_code=data.get("attribute[credit_code]", ""),
            contact_name=name or (email or phone)[:40],
            contact_phone=phone,
            contact_email=email,
            description=data.get("description", ""),
            address=address,
            latitude=latitude,
            longitude=longitude,
        )
    except ValidationError as exc:
        raise Refusal(400, _in_words(exc)) from None
    link = request.build_absolute_uri(reverse("service_requests:track", args=[sr.item.number, token]))
    return georeport.response(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": sr.item.number,
                "service_notice": _("请保存此链接，凭它查看进度和评价：%(link)s") % {"link": link},
                "account_id": None,
            }
        ],
        status=201,
    )
