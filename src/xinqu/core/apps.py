from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xinqu.core"
    label = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        from xinqu.core import receivers  # noqa: F401  (login/logout/lockout go to the audit log)
        from xinqu.core.exports import AUDIT_EXPORT
        from xinqu.core.jobs import register_export

        register_export(AUDIT_EXPORT)
