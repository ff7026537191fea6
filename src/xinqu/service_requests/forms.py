from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import MultipleFileField, ServiceForm, StepForm
from xinqu.core.models import Department
from xinqu.core.validators import validate_phone
from xinqu.service_requests.models import Category, Publication, ServiceRequest


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.display_name(get_language())


class RequestForm(forms.Form):
    category = CategoryField(label=_("诉求类别"), queryset=Category.objects.all())
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=120)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, required=False, help_text=_("填写后可关联企业名录")
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=40)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=30, validators=[validate_phone], required=False
    )
    contact_email = forms.EmailField(
        label=_("电子邮箱"), max_length=120, required=False, help_text=_("联系电话和电子邮箱至少填一项")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    description = forms.CharField(
        label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    attachments = MultipleFileField(
        label=_("附件"), required=False, help_text=_("PDF、JPG、PNG、Word 或 Excel，每个不超过 20 MB")
    )


class PublicationForm(forms.Form):
    level = forms.ChoiceField(
        label=_("不登录可查看的诉求信息"),
        choices=Publication.Level.choices,
        widget=forms.RadioSelect,
        help_text=_("经 Open311 接口对外公开；企业名称、诉求内容和联系方式始终不公开。"),
    )


class ActionForm(StepForm):
    STEP_FIELDS = {
        "dispatch": ("department",),
        "transfer": ("department",),
        "reply": ("outcome", "attachments"),
        "ask_extension": ("days",),
        "request_info": ("attachments",),
        "comment": ("attachments",),
    }

    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Department.objects.filter(is_active=True), required=False
    )
    outcome = forms.ChoiceField(
        label=_("办理结果"), choices=[("", "---------"), *ServiceRequest.Outcome.choices], required=False
    )
    days = forms.IntegerField(label=_("申请延期（工作日）"), min_value=1, max_value=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("附件"), required=False)


class RequesterForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("您反映的问题是否已经解决？"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("评价时请回答；解决率以企业的回答为准。"),
    )
    comment = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("附件"), required=False)


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ["name", "name_en", "time_limit", "department", "sort_order"]


class EscalationForm(forms.Form):
    level_1 = forms.IntegerField(label=_("逾期多少个工作日转 1 级督办"), min_value=1, max_value=60)
    level_2 = forms.IntegerField(label=_("逾期多少个工作日转 2 级督办"), min_value=1, max_value=60)
    level_3 = forms.IntegerField(label=_("逾期多少个工作日转 3 级督办"), min_value=1, max_value=60)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("合并到诉求编号"), max_length=30)
    comment = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
