from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "xinqu.indicators"
    label = "indicators"
    verbose_name = _("经济指标")

    def ready(self) -> None:
        from xinqu.core.jobs import ImportKind, register_import
        from xinqu.indicators.imports import INDICATOR_VALUE_COLUMNS, indicator_values_import

        register_import(
            ImportKind(
                "indicator_values",
                str(_("经济指标数据")),
                indicator_values_import,
                INDICATOR_VALUE_COLUMNS,
                "indicators:returns",
            )
        )
