"""The cockpit's tiles in the API, with the page's rules: every business role, the zone or one
area, the current reporting period by default."""

from __future__ import annotations

from typing import Any, Literal

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from xinqu.cockpit import selectors, services
from xinqu.core.access import AuthedRequest, ensure_business

router = Router(tags=["cockpit"])


class CockpitQuery(Schema):
    unit: str = Field(default="", description="an org unit's code: the zone (default) or an area")
    period: str = Field(
        default="", description="YYYY-MM: a closed month (default: the current reporting period)"
    )


class TileOut(Schema):
    key: str
    label: str
    url: str
    figures: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    more: int
    chart: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    note: str
    issues: list[dict[str, Any]]
    missing: list[str]


class CockpitOut(Schema):
    unit: str
    unit_name: str
    period: str
    period_label: str
    closed: bool
    tiles: list[TileOut]
    alerts: list[dict[str, Any]]


@router.get("/cockpit", response=CockpitOut, summary="The leaders' cockpit: every module's tile")
def cockpit(request: AuthedRequest, query: Query[CockpitQuery]) -> Any:
    ensure_business(request.user)
    scope = selectors.scope_for(query.dict())
    shown = selectors.tiles(request.user, scope)
    return {
        "unit": scope.unit.code,
        "unit_name": scope.unit.name,
        "period": f"{scope.month:%Y-%m}",
        "period_label": scope.label,
        "closed": scope.closed,
        "tiles": [
            {
                "key": s.tile.key,
                "label": str(s.tile.label),
                "url": reverse(s.tile.url_name),
                **s.data.as_json(),
            }
            for s in shown
        ],
        "alerts": [a.as_json() for a in selectors.alerts(shown)],
    }


class ScreenIn(Schema):
    label: str = Field(max_length=200, description="where the screen hangs, e.g. 三楼会议室")
    days: int = Field(default=365, description="how long the token works: 30, 90, 180 or 365 days")


class ScreenOut(Schema):
    id: int
    label: str
    prefix: str
    issued_by: str
    created_at: str
    last_seen_at: str | None
    expires_at: str | None
    active: bool


class IssuedOut(ScreenOut):
    token: str = Field(description="shown once: the screen opens /cockpit/screen/<token>/")
    url: str


def _screen(display: Any) -> dict[str, Any]:
    return {
        "id": display.pk,
        "label": display.label,
        "prefix": display.prefix,
        "issued_by": display.issued_by.display_name,
        "created_at": display.created_at.isoformat(),
        "last_seen_at": display.last_seen_at.isoformat() if display.last_seen_at else None,
        "expires_at": display.expires_at.isoformat() if display.expires_at else None,
        "active": display.active,
    }


@router.get("/cockpit/screens", response=list[ScreenOut], summary="The big screens' display tokens")
def screens(request: AuthedRequest) -> Any:
    from xinqu.cockpit.models import DisplayToken

    services.ensure_screen_manager(request.user)
    return [_screen(d) for d in DisplayToken.objects.select_related("issued_by")]


@router.post(
    "/cockpit/screens", response={201: IssuedOut}, summary="Issue a read-only display token for a big screen"
)
def screen_issue(request: AuthedRequest, payload: ScreenIn) -> Any:
    services.ensure_screen_manager(request.user)
    display, token = services.display_token_issue(actor=request.user, label=payload.label, days=payload.days)
    url = request.build_absolute_uri(reverse("cockpit:screen", args=[token]))
    return Status(201, {**_screen(display), "token": token, "url": url})


@router.post("/cockpit/screens/{screen_id}/revoke", response=ScreenOut, summary="Revoke a display token")
def screen_revoke(request: AuthedRequest, screen_id: int) -> Any:
    from django.shortcuts import get_object_or_404

    from xinqu.cockpit.models import DisplayToken

    services.ensure_screen_manager(request.user)
    display = get_object_or_404(DisplayToken.objects.select_related("issued_by"), pk=screen_id)
    return _screen(services.display_token_revoke(actor=request.user, display=display))


# --- the monthly briefing ---------------------------------------------------------------------------


class BriefingIn(Schema):
    unit: str = Field(default="", description="an org unit's code: the zone (default) or an area")
    period: str = Field(
        default="", description="YYYY-MM: a closed month (default: the current reporting period)"
    )
    language: str = Field(default="zh-hans", description="zh-hans or en")


class BriefingOut(Schema):
    id: int
    unit: str
    period: str
    language: str
    status: str
    scheduled: bool
    requested_by: str | None
    created_at: str
    finished_at: str | None
    failure: str
    title: str
    docx: str | None = Field(description="the .docx's download address, once written")
    pdf: str | None = Field(description="the PDF's download address, once written")


class BriefingDetailOut(BriefingOut):
    content: dict[str, Any] = Field(description="the text, tables and chart data it was written from")


def _briefing(briefing: Any, *, content: bool = False) -> dict[str, Any]:
    done = briefing.status == briefing.Status.DONE
    found = {
        "id": briefing.pk,
        "unit": briefing.unit.code,
        "period": f"{briefing.month:%Y-%m}",
        "language": briefing.language,
        "status": briefing.status,
        "scheduled": briefing.scheduled,
        "requested_by": briefing.requested_by.display_name if briefing.requested_by else None,
        "created_at": briefing.created_at.isoformat(),
        "finished_at": briefing.finished_at.isoformat() if briefing.finished_at else None,
        "failure": briefing.failure,
        "title": briefing.content.get("title", "") if done else "",
        "docx": f"/api/v1/cockpit/briefings/{briefing.pk}/docx" if done else None,
        "pdf": f"/api/v1/cockpit/briefings/{briefing.pk}/pdf" if done else None,
    }
    if content:
        found["content"] = briefing.content
    return found


class ScheduleIn(Schema):
    day: int | None = Field(description="1–28: the day each month's briefing is written; null stops it")


class ScheduleOut(Schema):
    day: int | None
    updated_by: str | None
    updated_at: str | None


def _schedule(schedule: Any) -> dict[str, Any]:
    if schedule is None:
        return {"day": None, "updated_by": None, "updated_at": None}
    return {
        "day": schedule.day,
        "updated_by": schedule.updated_by.display_name,
        "updated_at": schedule.updated_at.isoformat(),
    }


@router.get("/cockpit/briefing-schedule", response=ScheduleOut, summary="The briefing's delivery day")
def briefing_schedule(request: AuthedRequest) -> Any:
    from xinqu.cockpit.models import BriefingSchedule

    services.ensure_briefing_reader(request.user)
    return _schedule(BriefingSchedule.objects.select_related("updated_by").first())


@router.put(
    "/cockpit/briefing-schedule",
    response=ScheduleOut,
    summary="Set the briefing's delivery day (the statistics office)",
)
def briefing_schedule_set(request: AuthedRequest, payload: ScheduleIn) -> Any:
    services.ensure_briefing_reader(request.user)
    return _schedule(services.briefing_schedule_set(actor=request.user, day=payload.day))


@router.get(
    "/cockpit/briefings", response=list[BriefingOut], summary="The monthly briefings the caller may open"
)
def briefings(request: AuthedRequest) -> Any:
    services.ensure_briefing_reader(request.user)
    return [_briefing(b) for b in services.briefings_for(request.user)[:200]]


@router.post(
    "/cockpit/briefings",
    response={202: BriefingOut},
    summary="Write the monthly briefing (.docx and PDF) for a closed month, on the worker",
)
def briefing_request(request: AuthedRequest, payload: BriefingIn) -> Any:
    services.ensure_briefing_reader(request.user)
    scope = selectors.scope_for(payload.dict())
    found = services.briefing_request(actor=request.user, scope=scope, language=payload.language)
    return Status(202, _briefing(found))


@router.get(
    "/cockpit/briefings/{briefing_id}", response=BriefingDetailOut, summary="One briefing, with its content"
)
def briefing(request: AuthedRequest, briefing_id: int) -> Any:
    return _briefing(services.briefing_for(request.user, briefing_id), content=True)


@router.get(
    "/cockpit/briefings/{briefing_id}/{kind}",
    summary="Download a briefing as .docx or PDF",
)
def briefing_download(request: AuthedRequest, briefing_id: int, kind: Literal["docx", "pdf"]) -> Any:
    from xinqu.cockpit.exports import briefing_download as download

    return download(services.briefing_for(request.user, briefing_id), kind)
