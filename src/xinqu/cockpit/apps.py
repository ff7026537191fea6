"""The leaders' cockpit (领导驾驶舱): the tiles every module declares, laid out for the zone or
one area at a reporting month (see xinqu.core.cockpit)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import Module, Nav


class CockpitConfig(Module):
    name = "xinqu.cockpit"
    label = "cockpit"
    verbose_name = _("领导驾驶舱")

    urls = "cockpit/"
    api = ("", "xinqu.cockpit.api.router")
    nav = (Nav("cockpit:page", _("驾驶舱"), order=5),)
    jobs = ("cockpit.Briefing",)
    # The monthly briefing, written on the statistics office's day and sent to the leaders.
    reminders = {"briefings": "xinqu.cockpit.services.deliver_due"}
