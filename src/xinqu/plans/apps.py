from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "xinqu.plans"
    label = "plans"
    verbose_name = _("年度计划")

    def ready(self) -> None:
        from xinqu.core.jobs import ImportKind, register_import
        from xinqu.plans import flow  # noqa: F401 - registers supervision items with the engine
        from xinqu.plans.imports import PLAN_IMPORT_COLUMNS, plan_import

        register_import(
            ImportKind("plan_nodes", str(_("年度计划")), plan_import, PLAN_IMPORT_COLUMNS, "plans:list")
        )
