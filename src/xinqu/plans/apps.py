"""The plans module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class PlansConfig(Module):
    name = "xinqu.plans"
    label = "plans"
    verbose_name = _("年度计划")

    urls = "plans/"
    cockpit_tiles = (
        CockpitTile("plans", _("总策略推进"), "xinqu.plans.cockpit.tile", "plans:list", order=20),
    )
    waiting = ("xinqu.plans.waiting.waiting",)
    api = ("", "xinqu.plans.api.router")
    nav = (Nav("plans:list", _("年度计划"), order=10),)
    imports = ("xinqu.plans.imports.PLAN_NODES",)
    demo = (60, "xinqu.plans.demo.load_demo_plan")
    registers = ("xinqu.plans.flow", "xinqu.plans.services")
