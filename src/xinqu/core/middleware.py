from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from xinqu.core.audit import current_ip

# Everything the pages load is our own (vendored, never a CDN): no inline script, no other
# origin. Inline style attributes stay allowed (chart heights, Tabler's and htmx's own styles).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# A session's expiry moves on with use, but it is written at most once a minute, not on every
# request (two round trips to the database each time): the idle timeout holds to the minute.
SESSION_REFRESH_SECONDS = 60
SESSION_SEEN_KEY = "_xq_seen"


class SessionRefreshMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE from the last use) without a session write on every
    request. Sits after SessionMiddleware: marking the session modified has it saved, with a new
    expiry, when the response goes out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(SESSION_SEEN_KEY, 0)) >= SESSION_REFRESH_SECONDS:
                session[SESSION_SEEN_KEY] = now
        return response


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every response, and a Permissions-Policy that turns off
    what a government intranet page never needs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. X-Forwarded-For counts only for the proxies we were told about,
    read from the right, so a client cannot spoof its address by sending the header itself."""
    remote = request.META.get("REMOTE_ADDR")
    if settings.PROXY_COUNT:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.PROXY_COUNT:
            return forwarded[-settings.PROXY_COUNT]
    return remote


class LanguageMiddleware:
    """Chinese unless the user chose otherwise with the header's switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: a clerk on an
    English-language browser still gets the Chinese interface the zone works in. API clients may
    ask for English with Accept-Language, since they have no switch to use.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def _language(self, request: HttpRequest) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.supported:
            return chosen
        if request.path.startswith("/api/"):
            return translation.get_language_from_request(request)
        return settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language(request)
        request.LANGUAGE_CODE = language
        # Only for this request: the thread's language is restored afterwards, so nothing that
        # runs next in it (another request, a test) inherits this user's choice.
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RequestContextMiddleware:
    """Makes the client's address known to the audit log for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


# Paths a user who must change their password can still reach.
_PASSWORD_CHANGE_EXEMPT = ("/accounts/", "/i18n/", "/static/")


class ForcePasswordChangeMiddleware:
    """An account created or reset by an administrator must choose its own password first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(_PASSWORD_CHANGE_EXEMPT)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先修改初始密码。")}, status=403)
            return redirect("password_change")
        return self.get_response(request)
