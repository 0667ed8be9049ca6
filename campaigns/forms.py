"""Forms of the campaign pages. They only shape what was typed; the rules live in
governance.policy.campaigns, which the services apply."""

from __future__ import annotations

from django import forms

from accounts.models import DirectoryGroup
from governance.policy import campaigns as rules
from governance.policy import routing

from .models import Campaign, CampaignItem


class StartCampaignForm(forms.Form):
    name = forms.CharField(required=False, max_length=rules.NAME_LIMIT, label="Name",
                           help_text="e.g. Q3 recertification")
    risk = forms.ChoiceField(required=False, label="Risk",
                             choices=[("", "every risk")] + [(r, r) for r in routing.RISKS])
    data_scope = forms.ChoiceField(
        required=False, label="Data scope",
        choices=[("", "every data scope")] + [(s, s) for s in routing.DATA_SCOPES])
    team = forms.ChoiceField(required=False, label="Owner's team",
                             help_text="A group of the identity provider the owner is in.")
    due = forms.DateField(label="Due date", help_text="YYYY-MM-DD: owners answer by then.",
                          widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "enter the due date as YYYY-MM-DD"})
    on_no_answer = forms.ChoiceField(
        label="Without an answer by the due date", choices=Campaign.OnNoAnswer.choices,
        initial=rules.FLAG, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "every team")] + [
            (name, name) for name in DirectoryGroup.objects.values_list(
                "display_name", flat=True).distinct()]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label="Your answer", choices=CampaignItem.Answer.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, label="Note", max_length=rules.NOTE_LIMIT,
        help_text="Keep with changes: what changes. Retire: why.",
        widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.CharField(
        required=False, max_length=100, label="New version, for a version bump",
        help_text="With keep with changes. Blank: a renewal of the approved version.")
