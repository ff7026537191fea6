from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "xinqu.workflow"
    label = "workflow"
    verbose_name = _("闭环办理")

    def ready(self) -> None:
        from xinqu.workflow.reminders import register

        register()
