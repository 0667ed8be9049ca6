"""Forms of the governance pages."""

from django import forms
from django.conf import settings

LIFETIMES = [(30, "30 days"), (90, "90 days"), (365, "1 year")]


def lifetime_choices() -> list[tuple[str, str]]:
    """The lifetimes a user may give a token: up to the administrators' API_TOKEN_MAX_DAYS,
    and "never expires" only when they set no maximum."""
    maximum = settings.API_TOKEN_MAX_DAYS
    days = [(d, label) for d, label in LIFETIMES if not maximum or d <= maximum]
    if maximum and maximum not in dict(days):
        days.append((maximum, f"{maximum} days (the longest allowed)"))
    choices = [(str(d), label) for d, label in days]
    if not maximum:
        choices.append(("never", "Never (until revoked)"))
    return choices


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where the token is used, e.g. "
                           "'hook on my laptop' or 'deploy pipeline'.")
    expires = forms.ChoiceField(label="Expires after", choices=lifetime_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = [value for value, _ in lifetime_choices()]
        self.fields["expires"].initial = "90" if "90" in values else values[0]
        maximum = settings.API_TOKEN_MAX_DAYS
        self.fields["expires"].error_messages["invalid_choice"] = (
            f"A token may be valid for at most {maximum} days (set by the administrators)."
            if maximum else "Choose one of the lifetimes offered.")

    def clean_expires(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == "never" else int(value)
