"""The enterprises module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class EnterprisesConfig(Module):
    name = "xinqu.enterprises"
    label = "enterprises"
    verbose_name = _("企业")

    urls = "enterprises/"
    cockpit_tiles = (
        CockpitTile(
            "enterprises", _("企业培育"), "xinqu.enterprises.cockpit.tile", "enterprises:expiring", order=70
        ),
    )
    waiting = ("xinqu.enterprises.waiting.waiting",)
    api = ("", "xinqu.enterprises.api.router")
    nav = (Nav("enterprises:list", _("企业"), order=50),)
    imports = ("xinqu.enterprises.imports.ENTERPRISES", "xinqu.enterprises.imports.QUALIFICATIONS")
    exports = ("xinqu.enterprises.exports.ENTERPRISES_EXPORT",)
    reminders = {"expiring qualifications": "xinqu.enterprises.reminders.remind_expiring_qualifications"}
    feeds = ("xinqu.enterprises.feeds.FEEDS",)
    demo = (10, "xinqu.demo.registry.load_demo_registry")
    registers = ("xinqu.enterprises.services",)  # what it registers: how its audit details read
