from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "xinqu.safety"
    label = "safety"
    verbose_name = _("安全隐患")

    def ready(self) -> None:
        from xinqu.safety import flow  # noqa: F401 - registers the kind with the engine
