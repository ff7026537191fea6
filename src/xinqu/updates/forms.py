from django import forms
from django.utils.translation import gettext_lazy as _

from xinqu.updates.models import WorkUpdate


class WorkUpdateForm(forms.ModelForm):
    class Meta:
        model = WorkUpdate
        fields = ["title", "happened_on", "body", "confidential"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), max_length=300, required=False)
