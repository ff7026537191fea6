"""The investment attraction module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class InvestmentConfig(Module):
    name = "xinqu.investment"
    label = "investment"
    verbose_name = _("招商引资")

    urls = "investment/"
    cockpit_tiles = (
        CockpitTile(
            "investment", _("招商引资"), "xinqu.investment.cockpit.tile", "investment:funnel", order=40
        ),
    )
    waiting = ("xinqu.investment.waiting.waiting",)
    api = ("", "xinqu.investment.api.router")
    nav = (Nav("investment:list", _("招商引资"), order=35),)
    feeds = ("xinqu.investment.feeds.FEEDS",)
    imports = ("xinqu.investment.imports.LEADS",)
    demo = (55, "xinqu.investment.demo.load_demo_leads")
    registers = ("xinqu.investment.services",)
