"""Reading service requests: through the access rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from xinqu.core.access import get_visible_or_404, is_business
from xinqu.core.tokens import by_secret_link
from xinqu.service_requests.flow import KIND, STATES
from xinqu.service_requests.models import ServiceRequest, ServiceRequestQuerySet
from xinqu.workflow.models import Item
from xinqu.workflow.selectors import action_band


def requests_for(user: Any) -> QuerySet[ServiceRequest]:
    """The requests ``user`` may read: the service centre and leaders all, a department those
    dispatched to it."""
    return ServiceRequest.objects.visible_to(user).select_related("item", "item__department", "category")


def request_for(user: Any, number: str) -> ServiceRequest:
    """One request by its item number, or 404."""
    return get_visible_or_404(user, requests_for(user), item__number=number)


def queue_items(user: Any, state: str, query: str = "") -> QuerySet[Item]:
    """The requests ``user`` sees, as their items: "open" ones by deadline, the nearest first; a
    state's; or all ("all", anything else), newest first. Found among the items alone (each filter
    and order has its index, see workflow.models.Item.Meta, and a count reads no other table)."""
    items = Item.objects.filter(kind=KIND.key).select_related("department")
    if not is_business(user):
        return items.none()
    if not ServiceRequestQuerySet.sees_all(user):
        items = items.filter(department_id=user.department_id) if user.department_id else items.none()
    if state == "open":
        items = items.filter(state__in=set(STATES) - KIND.closed)
    elif state == "extension":
        items = items.filter(state="in_progress", extension_days__isnull=False)
    elif state in STATES:
        items = items.filter(state=state)
    if query:
        items = items.filter(
            Q(number__icontains=query)
            | Q(service_request__enterprise_name__icontains=query)
            | Q(title__icontains=query)
        )
    if state in {"open", "extension"} or (state in STATES and state not in KIND.closed):
        # What needs action first: new arrivals (to accept, dispatch or sign for), then what is
        # past its deadline, in its own band, then the rest by deadline, the nearest first.
        return items.annotate(band=action_band(NEW_STATES)).order_by("band", "due_on", "opened_at", "id")
    return items.order_by("-opened_at", "-id")


NEW_STATES = ("submitted", "accepted", "dispatched", "returned")  # waiting for their first step


def with_requests(items: Iterable[Item]) -> list[ServiceRequest]:
    """The requests of a page of items, each with its item, in the items' order."""
    items = list(items)
    found = ServiceRequest.objects.select_related("category", "enterprise").in_bulk([i.pk for i in items])
    requests = []
    for item in items:
        sr = found[item.pk]
        sr.item = item
        requests.append(sr)
    return requests


def request_by_link(number: str, token: str) -> ServiceRequest | None:
    """The request a requester's secret link points to, or None (wrong number or token alike)."""
    return by_secret_link(
        ServiceRequest.objects.select_related("item", "category"), number=number, token=token
    )
