from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "xinqu.service_requests"
    label = "service_requests"
    verbose_name = _("企业诉求")

    def ready(self) -> None:
        from xinqu.service_requests import flow  # noqa: F401 - registers the kind with the engine
