from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xinqu.core.feeds import FEEDS
from xinqu.core.forms import ServiceForm, UnitChoiceField
from xinqu.core.models import OrgUnit
from xinqu.core.numbers import parse_number, parse_percent
from xinqu.indicators.models import UNITS, Indicator, PeerZone
from xinqu.indicators.rules import formula_in_words
from xinqu.indicators.services import INDICATOR_FIELDS


class MonthField(forms.CharField):
    """A month as <input type="month">: 2024-05 → date(2024, 5, 1)."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(f"{text[:7]}-01")
        except ValueError:
            raise ValidationError(_("月份应写作 2024-05。")) from None


class IndicatorForm(ServiceForm):
    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-choices"
        self.unit_choices = UNITS
        if self.instance.pk and self.instance.formula and not self.is_bound:
            # Shown in names, as people write it; kept in codes.
            names = dict(Indicator.objects.values_list("code", "name"))
            self.initial["formula"] = (
                formula_in_words(self.instance.formula, names).replace("（", "(").replace("）", ")")
            )
        # Only the modules' own feeds: an indicator fed by another indicator would be a copy.
        self.fields["feed"] = forms.ChoiceField(
            label=_("数据来源"),
            choices=[("", _("部门填报")), *((key, str(f.label)) for key, f in FEEDS.items())],
            required=False,
            help_text=_("自动取数的指标不填报：关账时写入该月数值，未关账的月份实时计算；只到新区一级"),
        )


class PeerImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    period = MonthField(label=_("期间"), required=False, help_text=_("表中没有“期间”列时使用"))
    org_unit = UnitChoiceField(
        label=_("地区"),
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text=_("表中没有“地区”列时使用"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class _NumbersMixin:
    """Reads ``value`` in the indicator's unit and ``growth`` in percent, as cells are read."""

    unit = ""
    cleaned_data: dict[str, Any]

    def clean_value(self) -> Any:
        try:
            return parse_number(self.cleaned_data["value"], self.unit)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def clean_growth(self) -> Any:
        try:
            return parse_percent(self.cleaned_data["growth"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class TargetForm(_NumbersMixin, forms.Form):
    value = forms.CharField(label=_("目标值"), required=False)
    growth = forms.CharField(label=_("目标增速（%）"), required=False)
    phasing = forms.CharField(
        label=_("分月进度（累计%）"),
        required=False,
        help_text=_("12 个月（或 4 个季度）的累计百分比，用逗号分隔，最后一个为 100；不填则按序时进度"),
    )

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean_phasing(self) -> list[str]:
        text = self.cleaned_data["phasing"].replace("，", ",").replace("%", "")
        return [p.strip() for p in text.split(",") if p.strip()]


class PeerFigureForm(_NumbersMixin, forms.Form):
    peer = forms.ModelChoiceField(label=_("对标新区"), queryset=PeerZone.objects.all())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    value = forms.CharField(label=_("数值"), required=False)
    growth = forms.CharField(label=_("增速（%）"), required=False)
    scope = forms.CharField(
        label=_("统计范围"), required=False, max_length=120, help_text=_("如 全域、直管区")
    )
    source = forms.URLField(label=_("来源网址"), required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
