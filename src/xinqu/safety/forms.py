from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import MultipleFileField, StepForm
from xinqu.core.models import Department
from xinqu.enterprises.forms import enterprise_field
from xinqu.safety.models import Hazard


class ReportForm(forms.Form):
    credit_code = enterprise_field(_("企业"), help_text=_("输入名称、曾用名或统一社会信用代码后从列表中选择"))
    level = forms.ChoiceField(label=_("隐患等级"), choices=Hazard.Level.choices)
    location = forms.CharField(label=_("隐患部位"), max_length=120)
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 4}))
    inspected_on = forms.DateField(label=_("排查日期"), widget=forms.DateInput(attrs={"type": "date"}))
    announced = forms.BooleanField(label=_("已事先告知企业"), required=False)
    override_reason = forms.CharField(
        label=_("超出“无事不扰”规则的理由"), max_length=300, required=False, help_text=_("检查超出规则时必填")
    )
    attachments = MultipleFileField(label=_("现场照片或材料"), required=False)


class HazardActionForm(StepForm):
    STEP_FIELDS = {
        "assign": ("department", "owner", "due_on"),
        "ask_extension": ("days",),
        "submit_evidence": ("attachments",),
        "comment": ("attachments",),
    }

    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(
        label=_("整改责任部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    owner = forms.CharField(label=_("整改责任人"), max_length=60, required=False)
    due_on = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.IntegerField(label=_("申请延期（工作日）"), min_value=1, max_value=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("附件"), required=False)


class EvidenceForm(forms.Form):
    comment = forms.CharField(
        label=_("整改情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明采取的整改措施和完成情况"),
    )
    attachments = MultipleFileField(
        label=_("整改照片或材料"),
        required=False,
        help_text=_("PDF、JPG、PNG、Word 或 Excel，每个不超过 20 MB"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
