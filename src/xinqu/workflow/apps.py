"""The workflow module and what it adds to the platform (see xinqu.core.modules)."""

from django.utils.translation import gettext_lazy as _

from xinqu.core.modules import Module


class WorkflowConfig(Module):
    name = "xinqu.workflow"
    label = "workflow"
    verbose_name = _("闭环办理")

    reminders = {"workflow_items": "xinqu.workflow.reminders.remind_items"}
    registers = ("xinqu.workflow.engine",)  # what it registers: how its audit details read
