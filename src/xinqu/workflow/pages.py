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

from xinqu.core.forms import add_service_errors
from xinqu.workflow.engine import ChangedMeanwhile, Transition
from xinqu.workflow.models import Attachment


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
) -> HttpResponse | None:
    """Take the chosen action with its form's data. A redirect when done (or when someone acted
    first); None when the form must be shown again with its errors."""
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
        messages.success(request, _("已办理。"))
    return back() if callable(back) else back


def download(attachment: Attachment) -> FileResponse:
    """An item's attachment, under the name the user gave it and the type its bytes showed."""
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
