from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "xinqu.enterprises"
    label = "enterprises"
    verbose_name = _("企业")

    def ready(self) -> None:
        from xinqu.core.jobs import ImportKind, register_import
        from xinqu.enterprises.reminders import register

        register()
        from xinqu.enterprises.imports import (
            ENTERPRISE_COLUMNS,
            QUALIFICATION_COLUMNS,
            enterprises_import,
            qualifications_import,
        )

        register_import(
            ImportKind(
                "enterprises", str(_("企业名录")), enterprises_import, ENTERPRISE_COLUMNS, "enterprises:list"
            )
        )
        register_import(
            ImportKind(
                "qualifications",
                str(_("资质清单")),
                qualifications_import,
                QUALIFICATION_COLUMNS,
                "enterprises:list",
            )
        )
