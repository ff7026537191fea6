from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xinqu.core.models import AuditEntry, Department, OrgUnit, User
from xinqu.core.roles import Role
from xinqu.core.selectors import tree_ordered_units
from xinqu.core.validators import validate_phone


class FormRenderer(TemplatesSetting):
    """Renders every form with the Tabler markup in templates/forms/."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class ServiceForm(forms.ModelForm):
    """A model form whose data goes to a service, which validates the whole record (normalising
    it first): the form checks its fields only, and leaves its instance untouched."""

    def _post_clean(self) -> None:
        pass


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names where there is one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class StepForm(forms.Form):
    """The fields of one workflow step (an action on an item). A page offers its steps in one
    action box (workflow/_action_box.html) whose fields change with the step chosen: each step
    shows the fields ``STEP_FIELDS`` names for it, then the comment."""

    STEP_FIELDS: dict[str, tuple[str, ...]] = {}

    def fields_for(self, action: str) -> list[forms.BoundField]:
        names = [*self.STEP_FIELDS.get(action, ()), "comment"]
        return [self[name] for name in names if name in self.fields]


class _UnitChoices(ModelChoiceIterator):
    """Org units as the tree they are: zone, each area, then its parks. A list of parks alone is
    grouped under its areas (optgroups), so a park is never read as another area's."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        tree = tree_ordered_units()
        everything = {u.pk: u for u in tree}
        position = {u.pk: index for index, u in enumerate(tree)}
        language = get_language()
        units = sorted(self.queryset, key=lambda u: position.get(u.pk, len(tree)))
        shown = {u.pk for u in units}
        if units and all(u.parent_id and u.parent_id not in shown for u in units):
            groups: dict[int, list[Any]] = {}
            for unit in units:
                groups.setdefault(int(unit.parent_id or 0), []).append(self.choice(unit))
            for parent_id, choices in groups.items():
                parent = everything.get(parent_id)
                yield (parent.display_name(language) if parent else "", choices)
            return
        for unit in units:
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit, chosen from the tree (zone → area → park), in the page's language."""

    iterator = _UnitChoices

    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = {"zone": "", "area": "　", "park": "　　"}.get(obj.kind, "")
        return f"{indent}{obj.display_name(get_language())}"


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["kind", "code", "name", "name_en", "parent", "is_flagship", "sort_order"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "is_active", "sort_order"]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=60)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.filter(is_active=True))
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False, validators=[validate_phone])
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput, help_text=_("用户首次登录时须修改。")
    )


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "department", "is_active"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("临时密码"), widget=forms.PasswordInput, help_text=_("用户下次登录时须修改。")
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("部门"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text=_("部门工作人员和部门负责人必须属于一个部门；三员不属于业务部门。"),
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("操作人"), required=False)
    action = forms.ChoiceField(
        label=_("动作"), required=False, choices=[("", _("全部")), *AuditEntry.Action.choices]
    )
    object_type = forms.CharField(label=_("对象类型"), required=False)
    ip = forms.GenericIPAddressField(label=_("IP 地址"), required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("起始日期不能晚于截止日期。"))
        return data


class CalendarPasteForm(forms.Form):
    lines = forms.CharField(
        label=_("节假日安排"),
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": _("2027-01-01 放假 元旦\n2027-02-07 上班 春节")}
        ),
        help_text=_(
            "每行一天：日期、“放假”或“上班”（调休）、节日名称。可以整段粘贴国务院办公厅的年度通知整理后的清单。"
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    """Several files in one input (attachments, photos); each is checked by the field as one."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]
