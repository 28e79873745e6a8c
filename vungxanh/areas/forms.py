from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vungxanh.lib.tabular import CODE_PATTERN

from .actions import VILLAGE_TYPES
from .models import OrganizationType


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("(by the commune's type)")), *VILLAGE_TYPES],
        required=False,
    )
    code = forms.RegexField(
        label=_("Code"),
        regex=CODE_PATTERN,
        required=False,
        help_text=_("Leave empty to number it after the commune's code."),
    )
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)


IMPORT_KINDS = [
    ("villages", _("Villages")),
    ("organizations", _("Organizations")),
    ("populations", _("Population figures")),
    ("boundaries", _("Boundaries (GeoJSON)")),
    ("cases", _("Cases")),
    ("coverage", _("Vaccine coverage and treatment capacity")),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("File (CSV, XLSX or GeoJSON)"))
    code_property = forms.CharField(
        label=_("GeoJSON property holding the area code"), initial="code", required=False
    )


class OrganizationFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *OrganizationType.choices], required=False
    )
    area = forms.CharField(label=_("Area code"), required=False)
