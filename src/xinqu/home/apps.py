"""The home page: what waits for each person, gathered from the modules' home tiles."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import ALL_ROLES, Module, Nav


class HomeConfig(Module):
    name = "xinqu.home"
    label = "home"
    verbose_name = _("首页")

    urls = ""
    nav = (Nav("home", _("首页"), roles=ALL_ROLES, order=0),)
