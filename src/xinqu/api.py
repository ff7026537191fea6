"""The JSON API at /api/v1/: session or bearer-token authentication, the UI's permissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from xinqu.core.api import router as core_router
from xinqu.core.models import ApiToken
from xinqu.core.modules import modules
from xinqu.workflow.engine import ChangedMeanwhile


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__department")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # Access helpers read request.user, whichever way the caller authenticated.
        request.user = found.user
        return found.user


class ReadableJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese text stays readable in responses


api = NinjaAPI(
    title="Xinqu API",
    version="1",
    description=(
        "新区高质量发展平台 JSON API. Authenticate with a session cookie or `Authorization: Bearer <token>`."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    renderer=ReadableJSONRenderer(),
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("没有找到该记录，或您无权查看。")}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("无权进行此操作。")}, status=403)


@api.exception_handler(ChangedMeanwhile)
def _conflict(request: HttpRequest, exc: ChangedMeanwhile) -> HttpResponse:
    return api.create_response(request, {"detail": exc.messages[0]}, status=409)


@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("请求有误。")}, status=400)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("输入有误。"), "errors": errors}, status=422)


def _register() -> None:
    api.add_router("", core_router)
    for module in modules():
        if module.api is not None:
            prefix, router = module.api
            api.add_router(prefix, import_string(router))


_register()
