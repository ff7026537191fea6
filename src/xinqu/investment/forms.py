from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import MultipleFileField, ServiceForm, UnitChoiceField
from xinqu.core.models import Department, OrgUnit, User
from xinqu.enterprises.forms import enterprise_field
from xinqu.enterprises.models import IndustryNode
from xinqu.investment.models import (
    Activity,
    Currency,
    DocumentKind,
    ExchangeRate,
    Lead,
    Origin,
    Payment,
    Referrer,
    ScoreRule,
)
from xinqu.investment.rules import MOVES
from xinqu.projects.models import Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeadForm(ServiceForm):
    class Meta:
        model = Lead
        fields = [
            "name",
            "company",
            "credit_code",
            "origin",
            "country",
            "source",
            "referrer",
            "chain_node",
            "chain_role",
            "chain_leader",
            "talent_project",
            "currency",
            "amount",
            "officer",
            "expected_sign_on",
            "confidential",
        ]
        widgets = {"expected_sign_on": DATE}
        help_texts = {
            "credit_code": _("企业尚未在本区注册时可不填，落地时再填写"),
            "amount": _("以所选币种的“万”为单位；外币按登记当日汇率折算为人民币"),
            "confidential": _("签约后仍仅本团队和管委会领导可见"),
        }

    referring_enterprise = enterprise_field(_("引荐企业（以商招商）"), required=False)

    def __init__(self, *args: Any, team_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain_node"].queryset = IndustryNode.objects.filter(kind="node").select_related("parent")  # type: ignore[attr-defined]
        officers = User.objects.filter(department_id=team_id or 0, is_active=True)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["referrer"].queryset = Referrer.objects.all()  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("推进到"), choices=[(s, Lead.Stage(s).label) for s in MOVES])
    on = forms.DateField(label=_("日期"), widget=DATE)
    contract_amount = forms.DecimalField(
        label=_("合同投资额（万，原币）"), required=False, min_value=0, help_text=_("签约时必填")
    )
    land_by = forms.DateField(label=_("约定落地日期"), required=False, widget=DATE)
    start_by = forms.DateField(label=_("约定开工日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class StopForm(forms.Form):
    stage = forms.ChoiceField(label=_("状态"), choices=[("paused", _("暂缓")), ("lost", _("流失"))])
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=DocumentKind.choices)
    upload = MultipleFileField(label=_("文件"), help_text=_("PDF、JPG、PNG、Word 或 Excel"))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=Activity.Kind.choices)
    on = forms.DateField(label=_("日期"), widget=DATE)
    summary = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("下一步"), required=False, max_length=300)
    next_on = forms.DateField(label=_("下一步日期"), required=False, widget=DATE)


class PaymentForm(forms.Form):
    on = forms.DateField(label=_("到位日期"), widget=DATE)
    amount = forms.DecimalField(label=_("金额（万，原币）"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    kind = forms.ChoiceField(label=_("资金类别"), choices=Payment.Kind.choices)
    origin = forms.ChoiceField(label=_("资金来源地"), choices=Origin.choices)
    proof = forms.FileField(label=_("到账凭证（银行回单或发票）"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    confirm_over = forms.BooleanField(label=_("确认超过合同金额（须写明原因）"), required=False)


class LandForm(forms.Form):
    on = forms.DateField(label=_("落地（注册）日期"), widget=DATE)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    area = UnitChoiceField(label=_("功能区"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA))
    park = UnitChoiceField(
        label=_("园区"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.PARK), required=False
    )
    project_kind = forms.ChoiceField(label=_("项目类型"), choices=Project.Kind.choices)
    link_existing = forms.BooleanField(label=_("关联已登记企业（信用代码已在企业名录中时）"), required=False)


class RateForm(ServiceForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "on", "rate"]
        widgets = {"on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [c for c in Currency.choices if c[0] != Currency.CNY]  # type: ignore[attr-defined]


class ReferrerForm(ServiceForm):
    class Meta:
        model = Referrer
        fields = [
            "kind",
            "name",
            "appointed_on",
            "ends_on",
            "leads_per_year",
            "investment_per_year",
            "contact",
        ]
        widgets = {"appointed_on": DATE, "ends_on": DATE}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class TargetForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("招商团队"), queryset=Department.objects.filter(is_active=True)
    )
    signings = forms.IntegerField(label=_("签约项目（个）"), min_value=0)
    signed_amount = forms.DecimalField(
        label=_("签约额（亿元）"), min_value=0, max_digits=10, decimal_places=2
    )
    paid_in = forms.DecimalField(label=_("到位资金（亿元）"), min_value=0, max_digits=10, decimal_places=2)


class ScoreRuleForm(ServiceForm):
    class Meta:
        model = ScoreRule
        fields = ["band_3_10", "band_10_20", "band_20", "paid_in", "late_start", "false_report"]


class FalseReportForm(forms.Form):
    reason = forms.CharField(
        label=_("认定虚报的依据"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
