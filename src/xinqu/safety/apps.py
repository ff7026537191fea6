"""The safety module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class SafetyConfig(Module):
    name = "xinqu.safety"
    label = "safety"
    verbose_name = _("安全隐患")

    urls = "safety/"
    cockpit_tiles = (
        CockpitTile("safety", _("安全生产"), "xinqu.safety.cockpit.tile", "safety:list", order=60),
    )
    waiting = ("xinqu.safety.waiting.waiting",)
    api = ("", "xinqu.safety.api.router")
    nav = (Nav("safety:list", _("安全隐患"), order=70),)
    demo = (40, "xinqu.safety.demo.load_demo_hazards")
    registers = ("xinqu.safety.flow", "xinqu.safety.services")
