from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from xinqu.core.access import AuthedRequest, has_role, is_leader
from xinqu.core.modules import home_tiles, waiting_for
from xinqu.core.roles import BUSINESS_ROLES


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """What waits for the user in every module (each count links to the filtered list), then each
    module's tiles that the user's role may see; the administrators and an account without a role
    get their own short page. A leader's home is the cockpit (which lists what waits for them)."""
    if is_leader(request.user):
        try:
            return redirect(reverse("cockpit:page"))
        except NoReverseMatch:  # a deployment without the cockpit module
            pass
    tiles = [
        render_to_string(tile.template, import_string(tile.context)(request.user), request=request)
        for tile in home_tiles()
        if has_role(request.user, *tile.roles)
    ]
    waiting = waiting_for(request.user) if has_role(request.user, *BUSINESS_ROLES) else []
    return render(request, "home/home.html", {"tiles": tiles, "waiting": waiting})
