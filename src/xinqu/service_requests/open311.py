"""Service requests in the Open311 GeoReport v2 form (JSON), so existing civic-tech clients can file
and follow them: GET services.json, POST requests.json (no login, rate-limited like the public
form), GET requests.json and requests/<id>.json (signed-in staff or an API token, with the pages'
visibility)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from xinqu.api import BearerToken
from xinqu.core.access import is_business
from xinqu.core.audit import client_address
from xinqu.service_requests import services
from xinqu.service_requests.flow import KIND
from xinqu.service_requests.models import Category, ServiceRequest
from xinqu.service_requests.selectors import requests_for


def _error(code: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": code, "description": description}], status=code, safe=False)


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def services_list(request: HttpRequest) -> JsonResponse:
    return _json(
        [
            {
                "service_code": str(c.pk),
                "service_name": c.name,
                "description": f"{c.name_en} ({c.time_limit} working days)",
                "metadata": False,
                "type": "realtime",
                "keywords": c.name_en,
                "group": "enterprise",
            }
            for c in Category.objects.all()
        ]
    )


def _record(sr: ServiceRequest) -> dict[str, Any]:
    item = sr.item
    return {
        "service_request_id": item.number,
        "status": "closed" if item.state in KIND.closed else "open",
        "status_notes": str(KIND.states.get(item.state, item.state)),
        "service_name": sr.category.name,
        "service_code": str(sr.category_id),
        "description": sr.description,
        "agency_responsible": item.department.name if item.department else "",
        "service_notice": "",
        "requested_datetime": item.opened_at.isoformat(),
        "updated_datetime": (getattr(sr, "last_event_at", None) or item.opened_at).isoformat(),
        "expected_datetime": item.due_on.isoformat() if item.due_on else None,
        "address": "",
        "lat": None,
        "long": None,
    }


def _staff(request: HttpRequest) -> Any:
    user = request.user if request.user.is_authenticated else None
    if user is None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = BearerToken().authenticate(request, header.removeprefix("Bearer ").strip())
    return user if is_business(user) else None


@csrf_exempt
def requests_endpoint(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create(request)
    user = _staff(request)
    if user is None:
        return _error(403, "Sign in, or send an API token (Authorization: Bearer …), to list requests.")
    found = (
        requests_for(user)
        .select_related("item__department", "category")
        .annotate(last_event_at=Max("item__events__at"))
        .order_by("-item__opened_at")
    )
    status = request.GET.get("status")
    if status == "open":
        found = found.exclude(item__state__in=KIND.closed)
    elif status == "closed":
        found = found.filter(item__state__in=KIND.closed)
    code = request.GET.get("service_code")
    if code and code.isdigit():
        found = found.filter(category_id=int(code))
    return _json([_record(sr) for sr in found[:1000]])


def request_detail(request: HttpRequest, number: str) -> JsonResponse:
    user = _staff(request)
    if user is None:
        return _error(403, "Sign in, or send an API token, to read requests.")
    found = (
        requests_for(user).annotate(last_event_at=Max("item__events__at")).filter(item__number=number).first()
    )
    if found is None:
        return _error(404, "No such request, or you may not see it.")
    return _json([_record(found)])


def _create(request: HttpRequest) -> JsonResponse:
    if not services.public_filing_allowed(address=client_address(request)):
        return _error(429, "Too many requests from this address: try again in ten minutes.")
    data = request.POST
    code = data.get("service_code", "")
    category = Category.objects.filter(pk=int(code)).first() if code.isdigit() else None
    if category is None:
        return _error(400, "service_code: unknown service (see services.json).")
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    try:
        sr, token = services.request_file(
            actor=None,
            category=category,
            enterprise_name=data.get("attribute[enterprise_name]", "") or name,
            credit_code=data.get("attribute[credit_code]", ""),
            contact_name=name or data.get("email", ""),
            contact_phone=data.get("phone", ""),
            description=data.get("description", ""),
        )
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
        text = "; ".join(f"{field}: {' '.join(m)}" for field, m in messages.items())
        return _error(400, text)
    link = request.build_absolute_uri(reverse("service_requests:track", args=[sr.item.number, token]))
    return _json(
        [
            {
                "service_request_id": sr.item.number,
                "service_notice": f"Follow and rate the request at {link}",
                "account_id": None,
            }
        ],
        status=201,
    )
