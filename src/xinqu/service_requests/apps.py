"""The service requests module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class ServiceRequestsConfig(Module):
    name = "xinqu.service_requests"
    label = "service_requests"
    verbose_name = _("企业诉求")

    urls = ""
    cockpit_tiles = (
        CockpitTile(
            "service_requests",
            _("企业诉求"),
            "xinqu.service_requests.cockpit.tile",
            "service_requests:metrics",
            order=50,
        ),
    )
    waiting = ("xinqu.service_requests.waiting.waiting",)
    api = ("", "xinqu.service_requests.api.router")
    nav = (Nav("service_requests:queue", _("企业诉求"), order=60),)
    feeds = ("xinqu.service_requests.feeds.FEEDS",)
    demo = (30, "xinqu.service_requests.demo.load_demo_requests")
    registers = ("xinqu.service_requests.flow",)  # the kind registers with the workflow engine
