from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.core.forms import ServiceForm, UnitChoiceField
from xinqu.core.models import OrgUnit, User
from xinqu.core.roles import DEPARTMENT_ROLES
from xinqu.enterprises.models import (
    Enterprise,
    IndustryNode,
    Qualification,
    QualificationKind,
    ReferenceTotal,
    Tier,
    Visit,
    VisitRule,
    YearlyFigure,
)
from xinqu.enterprises.services import ENTERPRISE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterprisePicker(forms.TextInput):
    """A text field for an enterprise that suggests, as one types its name, a former name or part
    of its credit code, the enterprises one may see; choosing one fills in its credit code."""

    template_name = "enterprises/widgets/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"autocomplete": "off", "placeholder": _("输入企业名称、曾用名或信用代码查找"), **(attrs or {})}
        )


def enterprise_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    """A form field naming an enterprise of the registry, with the picker."""
    return forms.CharField(
        label=label, max_length=200, required=required, help_text=help_text, widget=EnterprisePicker()
    )


class EnterpriseForm(ServiceForm):
    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {"established_on": DATE}

    area = UnitChoiceField(label=_("功能区"), queryset=OrgUnit.objects.filter(kind="area"), required=False)
    park = UnitChoiceField(label=_("园区"), queryset=OrgUnit.objects.filter(kind="park"), required=False)
    service_officer = forms.ModelChoiceField(
        label=_("企业服务专员"),
        queryset=User.objects.filter(is_active=True, role__in=sorted(DEPARTMENT_ROLES)).select_related(
            "department"
        ),
        required=False,
    )


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label=_("名称、曾用名或信用代码"), required=False)
    area = UnitChoiceField(
        label=_("功能区"),
        queryset=OrgUnit.objects.filter(kind="area"),
        required=False,
        empty_label=_("全部功能区"),
    )
    park = UnitChoiceField(
        label=_("园区"),
        queryset=OrgUnit.objects.filter(kind="park"),
        required=False,
        empty_label=_("全部园区"),
    )
    tier = forms.ModelChoiceField(
        label=_("培育梯次"), queryset=Tier.objects.all(), required=False, empty_label=_("全部梯次")
    )
    chain = forms.ModelChoiceField(
        label=_("产业链"),
        queryset=IndustryNode.objects.filter(kind="chain"),
        required=False,
        empty_label=_("全部产业链"),
    )
    above_scale = forms.NullBooleanField(
        label=_("规上"),
        required=False,
        widget=forms.Select(choices=[("", _("全部")), ("true", _("规上")), ("false", _("规下"))]),
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"] = forms.ChoiceField(
            label=_("资质"), required=False, choices=[("", _("全部资质")), *(groups or [])]
        )


class QualificationForm(ServiceForm):
    class Meta:
        model = Qualification
        fields = [
            "kind",
            "certificate_no",
            "granted_on",
            "expires_on",
            "review_due",
            "exchange",
            "ticker",
            "confidential",
        ]
        widgets = {"granted_on": DATE, "expires_on": DATE, "review_due": DATE}
        help_texts = {"expires_on": _("留空则按资质类型的有效期计算（高企 3 年）")}


class QualificationEditForm(QualificationForm):
    class Meta(QualificationForm.Meta):
        fields = [
            "certificate_no",
            "granted_on",
            "expires_on",
            "review_due",
            "revoked_on",
            "exchange",
            "ticker",
        ]
        widgets = {"granted_on": DATE, "expires_on": DATE, "review_due": DATE, "revoked_on": DATE}


class YearlyFigureForm(ServiceForm):
    class Meta:
        model = YearlyFigure
        fields = ["year", "employees", "revenue", "rd_spend", "tax"]


class TierAssignForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("培育梯次"), queryset=Tier.objects.all(), required=False, empty_label=_("（不列入）")
    )
    reason = forms.CharField(label=_("理由"), max_length=300)


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.parent} · {obj.get_segment_display()} · {obj.name}"


class ChainPositionForm(forms.Form):
    node = NodeChoiceField(
        label=_("链环节"), queryset=IndustryNode.objects.filter(kind="node").select_related("parent")
    )
    is_leader = forms.BooleanField(label=_("链主企业"), required=False)


class VisitForm(ServiceForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "kind", "purpose", "announced", "override_reason", "confidential"]
        widgets = {"visited_on": DATE}
        help_texts = {"override_reason": _("仅当此次走访超出“无事不扰”规则时需要填写")}


class VisitRuleForm(forms.ModelForm):
    class Meta:
        model = VisitRule
        fields = ["max_inspections_per_year", "max_visits_per_month", "quiet_requires_announcement"]


class ReferenceTotalForm(forms.ModelForm):
    class Meta:
        model = ReferenceTotal
        fields = ["group", "year", "scope", "total", "source"]

    def __init__(self, *args: Any, groups: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"] = forms.ChoiceField(label=_("统计口径"), choices=groups or [])

    def validate_unique(self) -> None:
        pass  # the service updates an existing row for the same group, year and scope


class ImportForm(forms.Form):
    KINDS = [("enterprises", _("企业名录")), ("qualifications", _("资质清单"))]
    kind = forms.ChoiceField(label=_("导入内容"), choices=KINDS)
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class QualificationKindForm(forms.ModelForm):
    class Meta:
        model = QualificationKind
        fields = [
            "code",
            "name",
            "name_en",
            "group",
            "group_name",
            "validity_months",
            "review_months",
            "level",
            "sort_order",
        ]


class TierForm(ServiceForm):
    class Meta:
        model = Tier
        fields = ["name", "rank", "min_revenue", "min_growth_pct", "qualification_kinds"]
        widgets = {"qualification_kinds": forms.CheckboxSelectMultiple}


class IndustryNodeForm(ServiceForm):
    class Meta:
        model = IndustryNode
        fields = ["kind", "name", "parent", "segment", "sort_order"]


class TierRunForm(forms.Form):
    year = forms.IntegerField(label=_("按哪一年的数据评定"), min_value=1990, max_value=2100)
