from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "xinqu.projects"
    label = "projects"
    verbose_name = _("项目建设")

    def ready(self) -> None:
        from xinqu.core.reminders import register_reminder
        from xinqu.projects import flow  # noqa: F401 - registers project problems with the engine
        from xinqu.projects.lights import refresh_all

        register_reminder("project_lights", refresh_all)
        from xinqu.core.jobs import ImportKind, register_import
        from xinqu.projects.imports import PROJECT_COLUMNS, REPORT_COLUMNS, projects_import, reports_import

        register_import(
            ImportKind("projects", str(_("项目台账")), projects_import, PROJECT_COLUMNS, "projects:list")
        )
        register_import(
            ImportKind("project_reports", str(_("项目月报")), reports_import, REPORT_COLUMNS, "projects:list")
        )
