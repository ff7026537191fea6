from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xinqu.cockpit import selectors
from xinqu.core.access import AuthedRequest, ensure_business, is_leader
from xinqu.core.modules import waiting_for
from xinqu.core.periods import month_label


def _charts(shown: list[selectors.Shown], prefix: str) -> list[tuple[str, Any]]:
    """Each tile's chart with the element id the template draws it in (``s.chart_id``)."""
    charts = []
    for index, s in enumerate(shown):
        if s.data.chart:
            s.chart_id = f"{prefix}-{index}"  # type: ignore[attr-defined]
            charts.append((s.chart_id, s.data.chart))  # type: ignore[attr-defined]
    return charts


@login_required
def page(request: AuthedRequest) -> HttpResponse:
    """The cockpit for the zone or one area at a reporting month: every module's tile, each
    linking to its page, and the alerts of every figure whose light turned worse."""
    ensure_business(request.user)
    scope = selectors.scope_for(request.GET)
    shown = selectors.tiles(request.user, scope)
    charts = _charts(shown, "cockpit-chart")
    for s in shown:
        s.url = reverse(s.tile.url_name)  # type: ignore[attr-defined]
    language = get_language()
    context = {
        "scope": scope,
        "tiles": shown,
        "charts": charts,
        "alerts": selectors.alerts(shown),
        "units": [(u, u.display_name(language)) for u in selectors.units()],
        "months": [(m, month_label(m), closed) for m, closed in selectors.months()],
        "unit_name": scope.unit.display_name(language),
        "waiting": [w for w in waiting_for(request.user) if w.count] if is_leader(request.user) else [],
        "is_leader": is_leader(request.user),
        "briefing_language": "en" if (language or "").startswith("en") else "zh-hans",
    }
    return render(request, "cockpit/cockpit.html", context)


@login_required
def screens(request: AuthedRequest) -> HttpResponse:
    """A leader's big screens (大屏): issue a display token for one screen, see where each is
    used, revoke it. The new token's link is shown once."""
    from django.core.exceptions import ValidationError
    from django.shortcuts import get_object_or_404

    from xinqu.cockpit import services
    from xinqu.cockpit.models import DisplayToken

    services.ensure_screen_manager(request.user)
    link, errors, status = "", [], 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "revoke":
                display = get_object_or_404(DisplayToken, pk=request.POST.get("id", "0") or 0)
                services.display_token_revoke(actor=request.user, display=display)
            else:
                raw = request.POST.get("days", "365")
                _display, token = services.display_token_issue(
                    actor=request.user,
                    label=request.POST.get("label", ""),
                    days=int(raw) if raw.isdigit() else 0,
                )
                link = request.build_absolute_uri(reverse("cockpit:screen", args=[token]))
        except ValidationError as exc:
            errors, status = exc.messages, 400
    context = {
        "displays": DisplayToken.objects.select_related("issued_by"),
        "token_days": services.DISPLAY_TOKEN_DAYS,
        "link": link,
        "errors": errors,
    }
    return render(request, "cockpit/screens.html", context, status=status)


# How long the big screen shows one area before the next, in seconds.
SCREEN_ROTATE_SECONDS = 60


def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The big screen: the cockpit in a dark full-screen stage of 1920×1080 scaled to the
    display, without a login. It shows what its issuing leader may see, with no links and
    nothing to change, at the current reporting period, and moves on to the next area (zone
    first) every minute, reloading as it does."""
    from xinqu.cockpit.services import display_for

    display = display_for(token)
    if display is None:
        # A revoked or lapsed token shows the login page, saying how to get a new link.
        from django.shortcuts import redirect

        return redirect(f"{reverse('login')}?screen=refused&next={reverse('cockpit:screens')}")
    scope = selectors.scope_for({"unit": request.GET.get("unit", "")})
    shown = selectors.tiles(display.issued_by, scope)
    charts = _charts(shown, "screen-chart")
    codes = [u.code for u in selectors.units()]
    position = codes.index(scope.unit.code) if scope.unit.code in codes else 0
    following = codes[(position + 1) % len(codes)]
    language = get_language()
    context = {
        "scope": scope,
        "tiles": shown,
        "charts": charts,
        "alerts": selectors.alerts(shown),
        "unit_name": scope.unit.display_name(language),
        "next_url": f"{reverse('cockpit:screen', args=[token])}?unit={following}",
        "rotate": SCREEN_ROTATE_SECONDS,
        "display": display,
    }
    response = render(request, "cockpit/screen.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


# --- the monthly briefing ---------------------------------------------------------------------------


@login_required
def briefings(request: AuthedRequest) -> HttpResponse:
    """The monthly briefings (经济运行分析): ask for one (zone or area, a closed month, Chinese or
    English), find the ones written before, and, for the statistics office, set the day each
    month's is written and sent to the leaders."""
    from django.contrib import messages
    from django.core.exceptions import BadRequest, ValidationError
    from django.shortcuts import redirect

    from xinqu.cockpit import services
    from xinqu.cockpit.models import Briefing, BriefingSchedule
    from xinqu.core.access import member_of

    services.ensure_briefing_reader(request.user)
    errors, status = [], 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "schedule":
                raw = request.POST.get("day", "").strip()
                if raw and not raw.isdigit():
                    raise ValidationError(_("推送日应为每月 1 至 28 日之间的一天（每个月都有的日子）。"))
                services.briefing_schedule_set(actor=request.user, day=int(raw) if raw else None)
                messages.success(request, _("推送日已保存。"))
                return redirect("cockpit:briefings")
            scope = selectors.scope_for(request.POST)
            found = services.briefing_request(
                actor=request.user, scope=scope, language=request.POST.get("language", "")
            )
            return redirect("cockpit:briefing", found.pk)
        except (ValidationError, BadRequest) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            status = 400
    language = get_language()
    current = selectors.months()[0]
    context = {
        "briefings": [
            (b, b.unit.display_name(language), month_label(b.month))
            for b in services.briefings_for(request.user)[:50]
        ],
        "units": [(u, u.display_name(language)) for u in selectors.units()],
        "months": [(m, month_label(m)) for m, closed in selectors.months() if closed],
        "chosen_unit": request.POST.get("unit") or request.GET.get("unit", ""),
        "chosen_period": request.POST.get("period") or request.GET.get("period") or f"{current[0]:%Y-%m}",
        "briefing_languages": Briefing.Language.choices,
        "language": "en" if (language or "").startswith("en") else "zh-hans",
        "schedule": BriefingSchedule.objects.first(),
        "sets_schedule": member_of(request.user, settings.STATISTICS_DEPARTMENT),
        "errors": errors,
    }
    return render(request, "cockpit/briefings.html", context, status=status)


@login_required
def briefing(request: AuthedRequest, briefing_id: int) -> HttpResponse:
    """One briefing: while the worker writes it, its state; then the documents to download and
    its text to read here."""
    from xinqu.cockpit.services import briefing_for
    from xinqu.core.htmx import partial_or
    from xinqu.core.jobs import recover_interrupted

    found = briefing_for(request.user, briefing_id)
    if found.status == found.Status.RUNNING and recover_interrupted():
        found.refresh_from_db()
    context = {"briefing": found, "running": found.status in (found.Status.QUEUED, found.Status.RUNNING)}
    return render(request, partial_or("cockpit/briefing.html", "cockpit/_briefing.html", request), context)


@login_required
def briefing_download(request: AuthedRequest, briefing_id: int, kind: str) -> HttpResponseBase:
    from xinqu.cockpit.exports import briefing_download as download
    from xinqu.cockpit.services import briefing_for

    return download(briefing_for(request.user, briefing_id), kind)
