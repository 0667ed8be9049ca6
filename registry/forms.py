"""Forms of the catalog and export pages (filters only: nothing here changes state)."""

from django import forms

from governance import policy

STATUS_CHOICES = [("", "any status"), ("active", "active"), ("pending", "pending"),
                  ("denied", "denied"), ("expired", "expired")]


class CatalogFilterForm(forms.Form):
    search = forms.CharField(required=False, label="Name",
                             widget=forms.TextInput(attrs={"type": "search",
                                                           "placeholder": "e.g. github"}))
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES, label="Status")
    risk = forms.ChoiceField(required=False, label="Risk",
                             choices=[("", "any risk")] + [(r, r) for r in policy.RISKS])
    scope = forms.ChoiceField(required=False, label="Data scope",
                              choices=[("", "any scope")] + [(s, s) for s in policy.DATA_SCOPES])


class DiffForm(forms.Form):
    a = forms.IntegerField(label="From snapshot", min_value=1)
    b = forms.IntegerField(label="To snapshot", min_value=1)
