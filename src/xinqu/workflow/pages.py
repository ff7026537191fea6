"""What every item page does with its action forms: one form per action the user may take now,
and the taking of the chosen one with the engine's refusals shown in words."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinqu.core.forms import add_service_errors
from xinqu.workflow.engine import ChangedMeanwhile, Kind, Transition, deadline_state
from xinqu.workflow.models import Attachment, Item
from xinqu.workflow.selectors import labelled_timeline


def action_forms(
    request: HttpRequest,
    transitions: Iterable[Transition],
    form_class: type[forms.Form],
    initial: Callable[[Transition], dict[str, Any]],
    chosen: str | None,
) -> dict[str, forms.Form]:
    """A form per transition, bound to the POST only for the chosen one."""
    return {
        t.action: form_class(
            request.POST if chosen == t.action else None,
            request.FILES if chosen == t.action else None,
            initial=initial(t),
            prefix=t.action,
        )
        for t in transitions
    }


def take_action(
    request: HttpRequest,
    forms_by_action: dict[str, forms.Form],
    chosen: str,
    act: Callable[[dict[str, Any]], Any],
    back: HttpResponse | Callable[[], HttpResponse],
    *,
    kind: Kind | None = None,
    item: Item | None = None,
) -> HttpResponse | None:
    """Take the chosen action with its form's data. A redirect when done (or when someone acted
    first), with a message saying what happened and where the item now stands; None when the
    form must be shown again with its errors."""
    if chosen not in forms_by_action:
        raise PermissionDenied(_("您无权对该事项进行此操作，或当前状态不允许。"))
    form = forms_by_action[chosen]
    if not form.is_valid():
        return None
    try:
        act(form.cleaned_data)
    except ChangedMeanwhile as exc:
        messages.error(request, exc.messages[0])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    else:
        messages.success(request, done_message(kind, item, chosen) if kind and item else _("已办理。"))
    return back() if callable(back) else back


def done_message(kind: Kind, item: Item, action: str) -> str:
    """What happened and what comes next: "已派单：QY-2026-0012 现为“待签收”，承办部门：经济发展局，
    办理期限 2026-12-09。" """
    now = Item.objects.select_related("department").get(pk=item.pk)
    transition = kind.transitions.get(action)
    parts = [
        _("已%(action)s：%(number)s 现为“%(state)s”")
        % {
            "action": transition.label if transition else action,
            "number": now.number,
            "state": kind.states.get(now.state, now.state),
        }
    ]
    if now.department is not None and now.state not in kind.closed:
        parts.append(_("承办部门：%(department)s") % {"department": now.department})
    if now.due_on is not None and now.state not in kind.closed:
        parts.append(_("期限 %(day)s") % {"day": now.due_on.isoformat()})
    # The punctuation is the language's: "，" and "。" in Chinese, ", " and "." in English.
    return pgettext("list separator", "，").join(str(p) for p in parts) + pgettext("sentence end", "。")


def download(attachment: Attachment) -> FileResponse:
    """An item's attachment, under the name the user gave it and the type its bytes showed."""
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


def item_page(
    request: HttpRequest,
    *,
    kind: Kind,
    item: Item,
    form_class: type[forms.Form],
    act: Callable[[str, dict[str, Any]], Any],
    back: Callable[[], HttpResponse],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """An item's page: its state, deadline and timeline, a form for each action the user may take
    now, and the taking of the chosen one (``act(action, cleaned_data)``)."""
    from django.shortcuts import render

    actions = kind.available(request.user, item)  # type: ignore[arg-type]
    chosen = request.POST.get("action") if request.method == "POST" else None
    found = action_forms(request, actions, form_class, lambda t: {"version": item.version}, chosen)
    if chosen:
        done = take_action(request, found, chosen, lambda data: act(chosen, data), back, kind=kind, item=item)
        if done is not None:
            return done
    return render(
        request,
        template,
        {
            "item": item,
            "state_label": kind.states.get(item.state, item.state),
            "deadline": deadline_state(item),
            "events": labelled_timeline(
                kind, item.events.select_related("actor", "department").prefetch_related("attachments")
            ),
            "actions": [(t, found[t.action]) for t in actions],
            **context,
        },
    )
