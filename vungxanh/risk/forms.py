from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Setting


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(
        label=pgettext_lazy("risk", "Level"),
        coerce=int,
        choices=[
            (1, _("1 · green")),
            (2, _("2 · yellow")),
            (3, _("3 · orange")),
            (4, _("4 · red")),
        ],
    )
    date_from = forms.DateField(label=_("From (dd/mm/yyyy)"))
    date_to = forms.DateField(label=_("To (empty: until revoked)"), required=False)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseForm(forms.Form):
    date = forms.DateField(label=_("Date (dd/mm/yyyy)"))
    count = forms.IntegerField(label=_("Cases"), min_value=1, initial=1)
    setting = forms.ChoiceField(label=_("Found in"), choices=Setting.choices)
    source_known = forms.BooleanField(label=_("Source known"), required=False, initial=True)
    high_contact = forms.BooleanField(
        label=_("High-contact setting (school, hospital, market)"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class RulesetVersionForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from (dd/mm/yyyy)"))
    decision = forms.CharField(label=_("Decision"), max_length=100)
    decision_date = forms.DateField(label=_("Decision date (dd/mm/yyyy)"))
    provenance = forms.CharField(
        label=_("Provenance"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    params = forms.CharField(
        label=_("Thresholds and policies (JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "code"}),
    )

    def clean_params(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["params"])
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(e)s") % {"e": exc}) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The parameters are a JSON object."))
        return value
