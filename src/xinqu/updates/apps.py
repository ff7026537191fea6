from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpdatesConfig(AppConfig):
    name = "xinqu.updates"
    label = "updates"
    verbose_name = _("工作动态")
