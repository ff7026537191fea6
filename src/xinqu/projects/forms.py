from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import MultipleFileField, ServiceForm, StepForm, UnitChoiceField
from xinqu.core.models import Department, OrgUnit, User
from xinqu.core.roles import Role
from xinqu.enterprises.forms import enterprise_field
from xinqu.enterprises.models import IndustryNode
from xinqu.indicators.forms import MonthField
from xinqu.projects.models import LightRule, Milestone, Project

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(ServiceForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "kind",
            "area",
            "park",
            "chain_node",
            "total_investment",
            "planned_signed_on",
            "planned_landed_on",
            "planned_start_on",
            "registered_on",
            "leader",
            "department",
        ]
        widgets = {
            "planned_signed_on": DATE,
            "planned_landed_on": DATE,
            "planned_start_on": DATE,
            "registered_on": DATE,
        }

    credit_code = enterprise_field(_("建设单位"), required=False, help_text=_("从企业名录选择后关联该企业"))
    area = UnitChoiceField(label=_("功能区"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA))
    park = UnitChoiceField(
        label=_("园区"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.PARK), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["leader"].queryset = User.objects.filter(role=Role.LEADER, is_active=True)  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.filter(is_active=True)  # type: ignore[attr-defined]

        self.fields["chain_node"].queryset = IndustryNode.objects.filter(kind="node").select_related("parent")  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("推进到"), choices=Project.Stage.choices)
    on = forms.DateField(label=_("日期"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("说明（停缓建、终止须填写原因）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    planned_investment = forms.DecimalField(
        label=_("年度计划投资（万元）"), min_value=0, decimal_places=2, max_digits=14
    )
    planned_to_start = forms.BooleanField(label=_("计划开复工"), required=False, initial=True)
    resumed_on = forms.DateField(
        label=_("复工日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("续建项目当年复工的日期；不填时以当年有投资的月报为准"),
    )


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("节点"), choices=Milestone.Kind.choices)
    planned_on = forms.DateField(label=_("计划日期"), required=False, widget=DATE)
    actual_on = forms.DateField(label=_("实际日期"), required=False, widget=DATE)


class ReportForm(forms.Form):
    month = MonthField(label=_("月份"))
    investment = forms.DecimalField(label=_("当月完成投资（万元）"), decimal_places=2, max_digits=14)
    workers = forms.IntegerField(label=_("在岗人数"), min_value=0, initial=0)
    progress = forms.CharField(label=_("形象进度"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("现场照片"), required=False)
    confirm_over_total = forms.BooleanField(label=_("确认累计完成投资超过总投资"), required=False)


class ProblemForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.filter(is_active=True)
    )
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("附件"), required=False)


class ProblemActionForm(StepForm):
    STEP_FIELDS = {"redirect": ("department",), "ask_extension": ("days",)}

    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(
        label=_("改派到"), queryset=Department.objects.filter(is_active=True), required=False
    )
    days = forms.IntegerField(label=_("申请延期（工作日）"), min_value=1, max_value=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RuleForm(forms.ModelForm):
    class Meta:
        model = LightRule
        fields = ["yellow_pp", "red_pp", "late_start_months"]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"), choices=[("projects", _("项目台账")), ("project_reports", _("项目月报"))]
    )
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
