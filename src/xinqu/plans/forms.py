from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import ServiceForm, StepForm
from xinqu.core.models import Department
from xinqu.plans import feeds
from xinqu.plans.models import Node, Plan


class PlanForm(ServiceForm):
    class Meta:
        model = Plan
        fields = [
            "year",
            "title",
            "yellow_pp",
            "red_pp",
            "scoring_basis",
            "completion_cap",
            "late_deduction",
            "supervision_deduction",
            "rate_points_per_pp",
            "rate_red_pp",
        ]


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("新计划年度"), min_value=2000, max_value=2100)
    title = forms.CharField(
        label=_("名称"), max_length=200, required=False, help_text=_("不填则沿用原名称并替换年份")
    )


class NodeForm(ServiceForm):
    partner_departments = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Node
        fields = [
            "parent",
            "kind",
            "code",
            "title",
            "description",
            "lead_department",
            "partner_departments",
            "target_value",
            "unit",
            "deadline",
            "weight",
            "source",
            "direction",
            "measure",
            "path",
            "sort_order",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = plan.nodes.exclude(kind=Node.Kind.KPI)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["measure"].required = False  # only a KPI's matters; others keep the default
        self.fields["source"] = forms.ChoiceField(
            label=_("数据来源"),
            choices=feeds.choices(),
            required=False,
            help_text=_("指标可从其他模块自动取数"),
        )

    def clean_measure(self) -> str:
        return self.cleaned_data.get("measure") or Node.Measure.QUANTITY


class PeriodForm(forms.Form):
    deadline = forms.DateField(label=_("报送截止日"), widget=forms.DateInput(attrs={"type": "date"}))
    closed = forms.BooleanField(label=_("已关闭"), required=False)


class SupervisionForm(forms.Form):
    requirement = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("反馈期限"), widget=forms.DateInput(attrs={"type": "date"}))


class SupervisionActionForm(StepForm):
    STEP_FIELDS = {"ask_extension": ("days",)}

    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    days = forms.IntegerField(label=_("申请延期（工作日）"), min_value=1, max_value=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("计划工作簿（.xlsx）"), help_text=_("列与“导出 Excel”相同；按编号新增或更新节点，不删除")
    )
