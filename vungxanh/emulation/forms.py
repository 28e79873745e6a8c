"""The form that launches a campaign: the plan, its phases, its clusters and its scoring."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from vungxanh import metrics

from .actions import CriterionSpec, PhaseSpec

PHASES = 3  # rows offered; empty ones are ignored
MANUAL = 2
KINDS = [
    ("district", _("districts")),
    ("commune", _("communes, wards and townships")),
    ("organization", _("agencies, businesses and organizations")),
]


def _slug(text: str) -> str:
    return slugify(text.replace("đ", "d").replace("Đ", "D"))


class LaunchForm(forms.Form):
    name = forms.CharField(label=_("Name of the campaign"), max_length=300)
    code = forms.SlugField(
        label=_("Short code (in its address)"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name when empty."),
    )
    area = forms.ChoiceField(label=_("Launched over"))
    plan_number = forms.CharField(label=_("Launching plan (number)"), max_length=100)
    plan_date = forms.DateField(label=_("Plan date (dd/mm/yyyy)"))
    plan_issuer = forms.CharField(label=_("Issued by"), max_length=300)
    participant_kinds = forms.MultipleChoiceField(
        label=_("Who takes part"), choices=KINDS, widget=forms.CheckboxSelectMultiple
    )
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(label=_("Target date (dd/mm/yyyy)"), required=False)
    registration_deadline = forms.DateField(
        label=_("Registration deadline (dd/mm/yyyy)"), required=False
    )
    clusters = forms.CharField(
        label=_("Clusters of comparable units, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Units are ranked within their cluster; the organizer places each one."),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = areas
        for n in range(1, PHASES + 1):
            required = n == 1
            self.fields[f"phase{n}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=required, initial=f"Đợt {n}"
            )
            self.fields[f"phase{n}_starts_on"] = forms.DateField(
                label=_("Starts on"), required=required
            )
            self.fields[f"phase{n}_ends_on"] = forms.DateField(
                label=_("Ends on"), required=required
            )
            self.fields[f"phase{n}_review_on"] = forms.DateField(
                label=_("Review on"), required=required
            )
            self.fields[f"phase{n}_dossier_deadline"] = forms.DateField(
                label=_("Dossiers due before"), required=False
            )
        for metric in metrics.PERIOD_REGISTRY.values():
            self.fields[f"weight_{metric.name}"] = forms.FloatField(
                label=str(metric.label), min_value=0, required=False
            )
        for n in range(1, MANUAL + 1):
            self.fields[f"manual{n}_label"] = forms.CharField(
                label=_("Criterion scored by hand"), max_length=300, required=False
            )
            self.fields[f"manual{n}_weight"] = forms.FloatField(
                label=_("Weight"), min_value=0, required=False
            )

    def plan_fields(self) -> list[forms.BoundField]:
        names = ["name", "code", "area", "plan_number", "plan_date", "plan_issuer"]
        return [self[f] for f in [*names, "target_date", "registration_deadline"]]

    def phase_rows(self) -> list[list[forms.BoundField]]:
        names = ["name", "starts_on", "ends_on", "review_on", "dossier_deadline"]
        return [[self[f"phase{n}_{f}"] for f in names] for n in range(1, PHASES + 1)]

    def metric_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name in metrics.PERIOD_REGISTRY]

    def manual_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"manual{n}_label"], self[f"manual{n}_weight"]] for n in range(1, MANUAL + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phases = []
        for n in range(1, PHASES + 1):
            row: dict[str, Any] = {
                f: data.get(f"phase{n}_{f}") for f in ("starts_on", "ends_on", "review_on")
            }
            if not any(row.values()):
                continue
            if not all(row.values()):
                self.add_error(f"phase{n}_starts_on", _("Give the phase's three dates."))
                continue
            phases.append(
                PhaseSpec(
                    data.get(f"phase{n}_name") or f"Đợt {n}",
                    starts_on=row["starts_on"],
                    ends_on=row["ends_on"],
                    review_on=row["review_on"],
                    dossier_deadline=data.get(f"phase{n}_dossier_deadline"),
                )
            )
        criteria = [
            CriterionSpec(name, str(metric.label), data[f"weight_{name}"], name)
            for name, metric in metrics.PERIOD_REGISTRY.items()
            if data.get(f"weight_{name}")
        ]
        for n in range(1, MANUAL + 1):
            label, weight = data.get(f"manual{n}_label", ""), data.get(f"manual{n}_weight")
            if label and weight:
                criteria.append(CriterionSpec(_slug(label)[:30] or f"tay-{n}", label, weight))
            elif label or weight:
                self.add_error(f"manual{n}_weight", _("Give both the criterion and its weight."))
        if not criteria:
            raise forms.ValidationError(_("Choose at least one scoring criterion with a weight."))
        data["phases"] = phases
        data["criteria"] = criteria
        data["cluster_names"] = [
            line.strip() for line in data.get("clusters", "").splitlines() if line.strip()
        ]
        data["code"] = data.get("code") or _slug(data.get("name", ""))[:60]
        return data
