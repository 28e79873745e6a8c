from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.models import Area

from .exports import PURPOSE_MIN_LENGTH
from .models import Category, Check, Commitment, Member, MonitoringRule, RegisterEntry

# The words a team member taps for a symptom. The stored text is Vietnamese whatever the
# language of the screen: the register is the commune's, read by the health station.
SYMPTOMS = [
    ("sốt", _("fever")),
    ("ho", _("cough")),
    ("khó thở", _("shortness of breath")),
    ("đau họng", _("sore throat")),
    ("mất vị giác, khứu giác", _("loss of taste or smell")),
    ("mệt mỏi", _("tiredness")),
]
FEVER = 37.5


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )


def _temperature_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        min_value=34,
        max_value=43,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class ProblemForm(forms.Form):
    """The "problem" half of the daily card: what the team member saw."""

    temperature = _temperature_field()
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"),
        choices=SYMPTOMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.CharField(label=_("Other symptoms"), required=False, max_length=200)
    not_at_home = forms.BooleanField(label=_("Not at home"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        temperature = data.get("temperature")
        fever = temperature is not None and temperature >= FEVER
        if not self.errors and not (
            fever
            or data.get("symptoms")
            or data.get("other", "").strip()
            or data.get("not_at_home")
        ):
            raise forms.ValidationError(
                _(
                    "Enter what is wrong: a temperature of 37.5 °C or more, a symptom, "
                    "or “not at home”."
                )
            )
        return data

    @property
    def symptom_text(self) -> str:
        words = [*self.cleaned_data["symptoms"]]
        if other := self.cleaned_data["other"].strip():
            words.append(other)
        return ", ".join(words)


class PurposeForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), min_length=PURPOSE_MIN_LENGTH, max_length=250)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = gettext("State the purpose (at least %(n)s characters).") % {
            "n": PURPOSE_MIN_LENGTH
        }
        field = self.fields["purpose"]
        field.error_messages = {**field.error_messages, "required": message, "min_length": message}


class ExportForm(PurposeForm):
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].label = _("Purpose of the export")
        self.fields["purpose"].widget.attrs["placeholder"] = _("e.g. weekly report to the BCĐ")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV)"))


class RegisterFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("under monitoring")), ("closed", _("closed")), ("all", _("all"))],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    escalation = forms.ChoiceField(
        label=_("Escalation"),
        choices=[("", _("All")), *RegisterEntry.Escalation.choices],
        required=False,
    )
    late = forms.BooleanField(label=_("Late checks only"), required=False)


class RegisterForm(forms.Form):
    """A person to register, with the village and the category that sets the period."""

    village = forms.ModelChoiceField(label=_("Village"), queryset=Area.objects.none())
    full_name = forms.CharField(label=_("Full name"), min_length=2, max_length=200)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2030, required=False
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", "—"), ("m", _("male")), ("f", _("female"))],
        required=False,
    )
    id_number = forms.CharField(
        label=_("ID number (CCCD/CMND)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    rule = forms.ModelChoiceField(
        label=_("Monitoring rule"),
        queryset=MonitoringRule.objects.all(),
        required=False,
        empty_label=_("(the rule in force for the category)"),
    )
    start_date = _date_field(_("Start of monitoring (dd/mm/yyyy)"))
    origin = forms.CharField(label=_("Coming from"), max_length=200, required=False)
    arrival_date = _date_field(_("Arrival date (dd/mm/yyyy)"), required=False)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages
        if len(villages) == 1:
            field.initial = villages[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule, category = data.get("rule"), data.get("category")
        if rule is not None and category and rule.category != category:
            self.add_error("rule", _("This rule is for another category."))
        return data


class EscalateForm(forms.Form):
    to = forms.ChoiceField(choices=RegisterEntry.Escalation.choices)


CLOSING_OUTCOMES = [
    (RegisterEntry.Outcome.COMPLETED.value, RegisterEntry.Outcome.COMPLETED.label),
    (RegisterEntry.Outcome.MOVED_AWAY.value, RegisterEntry.Outcome.MOVED_AWAY.label),
    (RegisterEntry.Outcome.ABSCONDED.value, RegisterEntry.Outcome.ABSCONDED.label),
]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CLOSING_OUTCOMES)
    on = _date_field(_("Closed on (dd/mm/yyyy)"))


class CheckForm(forms.Form):
    """A check entered on the record: any day of the period, with a test result if any."""

    date = _date_field(_("Date (dd/mm/yyyy)"))
    temperature = _temperature_field()
    symptoms = forms.CharField(label=_("Symptoms"), max_length=300, required=False)
    not_at_home = forms.BooleanField(label=_("Not at home"), required=False)
    test_result = forms.ChoiceField(
        label=_("Test result"), choices=Check.TestResult.choices, required=False
    )


class TeamForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Area.objects.none())
    name = forms.CharField(
        label=_("Name of the team"),
        max_length=200,
        required=False,
        help_text=_("Empty: “Tổ tự quản” and the village's name."),
    )
    founded_on = _date_field(_("Founded on (dd/mm/yyyy)"))
    decision_number = forms.CharField(label=_("Decision"), max_length=100, required=False)
    leader = forms.CharField(label=_("Team leader"), max_length=200, required=False)
    leader_phone = forms.CharField(
        label=_("Leader's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, min_length=2)
    role = forms.ChoiceField(label=_("Role"), choices=Member.Role.choices)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class CommitmentForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Village or commune"), queryset=Area.objects.none())
    signer_kind = forms.ChoiceField(label=_("Signed by"), choices=Commitment.Signer.choices)
    signer_name = forms.CharField(
        label=_("Signer"),
        max_length=200,
        min_length=2,
        help_text=_("The head of the household, the organization or the village."),
    )
    text = forms.CharField(
        label=_("Commitment"), min_length=5, widget=forms.Textarea(attrs={"rows": 3})
    )
    signed_on = _date_field(_("Signed on (dd/mm/yyyy)"))
    witness = forms.CharField(label=_("Witness"), max_length=200, required=False)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = areas
