"""The projects module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import CockpitTile, Module, Nav


class ProjectsConfig(Module):
    name = "xinqu.projects"
    label = "projects"
    verbose_name = _("项目建设")

    urls = "projects/"
    cockpit_tiles = (
        CockpitTile(
            "projects", _("项目建设"), "xinqu.projects.cockpit.tile", "projects:statistics", order=30
        ),
    )
    waiting = ("xinqu.projects.waiting.waiting",)
    api = ("", "xinqu.projects.api.router")
    nav = (Nav("projects:list", _("项目建设"), order=30),)
    imports = ("xinqu.projects.imports.PROJECTS", "xinqu.projects.imports.PROJECT_REPORTS")
    exports = ("xinqu.projects.exports.LEDGER_EXPORT", "xinqu.projects.exports.REPORTS_EXPORT")
    reminders = {"project_lights": "xinqu.projects.lights.refresh_all"}
    feeds = ("xinqu.projects.feeds.FEEDS",)
    demo = (50, "xinqu.projects.demo.load_demo_projects")
    registers = ("xinqu.projects.flow", "xinqu.projects.services")
