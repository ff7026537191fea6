"""The innovation registry (科技创新): platforms and what they add to the platform (see
xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import Module, Nav


class InnovationConfig(Module):
    name = "xinqu.innovation"
    label = "innovation"
    verbose_name = _("科技创新")

    urls = "innovation/"
    api = ("", "xinqu.innovation.api.router")
    nav = (Nav("innovation:list", _("科技创新"), order=37),)
    feeds = ("xinqu.innovation.feeds.FEEDS",)
    feed_families = ("xinqu.innovation.feeds.PROGRAMMES",)
    imports = (
        "xinqu.innovation.imports.PLATFORMS",
        "xinqu.innovation.imports.PROJECTS",
        "xinqu.innovation.imports.TALENTS",
    )
    registers = ("xinqu.innovation.flow",)
    demo = (57, "xinqu.innovation.demo.load_demo_innovation")
