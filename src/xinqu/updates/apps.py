"""The updates module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import HomeTile, Module, Nav


class UpdatesConfig(Module):
    name = "xinqu.updates"
    label = "updates"
    verbose_name = _("工作动态")

    urls = "updates/"
    waiting = ("xinqu.updates.waiting.waiting",)
    api = ("/work-updates", "xinqu.updates.api.router")
    nav = (Nav("updates:list", _("工作动态"), order=80),)
    home_tiles = (HomeTile("updates/_home_tile.html", "xinqu.updates.selectors.home_tile", order=50),)
