"""The indicators module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class IndicatorsConfig(Module):
    name = "xinqu.indicators"
    label = "indicators"
    verbose_name = _("经济指标")

    urls = "indicators/"
    cockpit_tiles = (
        CockpitTile(
            "indicators",
            _("主要经济指标"),
            "xinqu.indicators.cockpit.tile",
            "indicators:overview",
            order=10,
            areas=True,
            essential=True,
        ),
    )
    waiting = ("xinqu.indicators.waiting.waiting",)
    api = ("", "xinqu.indicators.api.router")
    nav = (Nav("indicators:overview", _("经济指标"), order=20),)
    imports = ("xinqu.indicators.imports.INDICATOR_VALUES", "xinqu.indicators.imports.PEER_FIGURES")
    feed_families = ("xinqu.indicators.feeds.INDICATORS",)
    demo = (20, "xinqu.indicators.demo.load_demo_indicators")
    period_closed = ("xinqu.indicators.services.fed_figures_write",)
    registers = ("xinqu.indicators.services",)  # what it registers: how its audit details read
