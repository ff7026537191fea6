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
