from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import ServiceForm, StepForm, UnitChoiceField
from xinqu.core.models import Department, OrgUnit
from xinqu.enterprises.forms import enterprise_field
from xinqu.enterprises.models import IndustryNode
from xinqu.innovation.models import (
    AssessmentRule,
    InnovationProject,
    Level,
    Outcome,
    Partner,
    Platform,
    PlatformYear,
    ProjectTask,
    Recognition,
    Talent,
    TalentProgramme,
    TalentRule,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlatformForm(ServiceForm):
    class Meta:
        model = Platform
        fields = [
            "name",
            "kind",
            "institution",
            "park",
            "chain_node",
            "space",
            "staff",
            "note",
            "confidential",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"confidential": _("仅科技创新局和管委会领导可见")}

    operator_name = enterprise_field(
        _("运营企业"), required=False, help_text=_("企业名录中的企业；由高校、院所运营的，填写下面的运营单位")
    )
    park = UnitChoiceField(label=_("所在园区"), queryset=OrgUnit.objects.filter(kind="park"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain_node"].queryset = IndustryNode.objects.filter(kind="node").select_related("parent")  # type: ignore[attr-defined]
        order = [
            "name",
            "kind",
            "operator_name",
            "institution",
            "park",
            "chain_node",
            "space",
            "staff",
            "note",
            "confidential",
        ]
        self.order_fields(order)


class RecognitionForm(ServiceForm):
    class Meta:
        model = Recognition
        fields = ["level", "recognised_on", "valid_until", "document"]
        widgets = {"recognised_on": DATE, "valid_until": DATE}


class NewPlatformForm(PlatformForm):
    """Registering a platform: its record and the recognition it was registered for."""

    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    recognised_on = forms.DateField(label=_("认定日期"), widget=DATE)
    valid_until = forms.DateField(
        label=_("有效期至"), required=False, widget=DATE, help_text=_("长期有效的留空")
    )
    document = forms.CharField(label=_("认定文号"), required=False, max_length=100)


class YearForm(ServiceForm):
    class Meta:
        model = PlatformYear
        fields = ["year", "incubated", "graduated", "rd_spend", "patents", "hosted_revenue"]


class RuleForm(ServiceForm):
    class Meta:
        model = AssessmentRule
        fields = [
            "national",
            "provincial",
            "city",
            "per_incubated",
            "per_graduated",
            "per_patent",
            "per_rd_100m",
            "per_revenue_100m",
            "cap",
        ]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"),
        choices=[("platforms", _("创新平台")), ("projects", _("创新项目")), ("talents", _("人才"))],
    )
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class ProjectForm(ServiceForm):
    class Meta:
        model = InnovationProject
        fields = [
            "name",
            "kind",
            "institution",
            "platform",
            "started_on",
            "due_on",
            "budget",
            "support",
            "note",
            "confidential",
        ]
        widgets = {"started_on": DATE, "due_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"confidential": _("仅科技创新局和管委会领导可见")}

    enterprise_name = enterprise_field(
        _("承担企业"), required=False, help_text=_("企业名录中的企业；由高校、院所承担的，填写下面的承担单位")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(confidential=False)  # type: ignore[attr-defined]
        self.order_fields(
            ["name", "kind", "enterprise_name", "institution", "platform", "started_on", "due_on"]
        )


class PartnerForm(forms.Form):
    kind = forms.ChoiceField(label=_("合作方类别"), choices=Partner.Kind.choices)
    enterprise = enterprise_field(_("企业（企业名录）"), required=False)
    name = forms.CharField(label=_("高校或院所名称"), required=False, max_length=200)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("成果类别"), choices=Outcome.Kind.choices)
    title = forms.CharField(label=_("成果名称"), max_length=200)
    number = forms.CharField(label=_("编号（专利号、标准号等）"), required=False, max_length=60)
    achieved_on = forms.DateField(label=_("取得日期"), widget=DATE)
    landmark = forms.BooleanField(label=_("标志性成果"), required=False)
    landmark_reason = forms.CharField(label=_("认定为标志性成果的理由"), required=False, max_length=300)


class EndForm(forms.Form):
    on = forms.DateField(label=_("结项日期"), widget=DATE)


class TalentForm(ServiceForm):
    class Meta:
        model = Talent
        fields = [
            "programme",
            "name",
            "team",
            "id_number",
            "phone",
            "host_platform",
            "recruited_on",
            "service_years",
            "support_promised",
            "obligations",
            "confidential",
        ]
        widgets = {"recruited_on": DATE, "obligations": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"confidential": _("仅科技创新局和管委会领导可见")}

    host_name = enterprise_field(
        _("用人企业"), required=False, help_text=_("企业名录中的企业；在平台工作的可只选依托平台")
    )
    lead_code = forms.CharField(
        label=_("招商线索编号"),
        required=False,
        max_length=20,
        help_text=_("随人才落地的高科技人才产业项目；“三个五”中的这一项以招商台账为准"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_platform"].queryset = Platform.objects.filter(confidential=False)  # type: ignore[attr-defined]
        self.order_fields(
            ["programme", "name", "team", "id_number", "phone", "host_name", "host_platform", "lead_code"]
        )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("拨付日期"), widget=DATE)
    amount = forms.DecimalField(label=_("金额（万元）"), min_value=Decimal("0.01"), decimal_places=2)
    confirm_over = forms.BooleanField(label=_("确认超出承诺拨付"), required=False)
    over_reason = forms.CharField(label=_("超出承诺的说明"), required=False, max_length=300)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("验收日期"), widget=DATE)
    score = forms.DecimalField(label=_("得分"), min_value=0, max_value=100, decimal_places=1)
    note = forms.CharField(label=_("验收意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProgrammeForm(ServiceForm):
    class Meta:
        model = TalentProgramme
        fields = ["name", "category", "started_on", "description"]
        widgets = {"started_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class TalentRuleForm(ServiceForm):
    class Meta:
        model = TalentRule
        fields = ["threshold", "clawback_percent"]


class TaskForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=ProjectTask.Category.choices)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.filter(is_active=True)
    )
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(
        label=_("完成期限"), required=False, widget=DATE, help_text=_("留空按工作日时限计")
    )


class TaskActionForm(StepForm):
    STEP_FIELDS = {"redirect": ("department",), "ask_extension": ("days",)}

    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(
        label=_("改派到"), queryset=Department.objects.filter(is_active=True), required=False
    )
    days = forms.IntegerField(label=_("申请延期（工作日）"), min_value=1, max_value=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
