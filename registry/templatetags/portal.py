"""Small template filters the portal pages share."""

import json

from django import template

register = template.Library()

VERBS = {
    "filed": "filed the request", "imported": "imported from the registry file",
    "claimed": "claimed it", "assigned": "assigned it to", "status_changed": "moved it",
    "withdrawn": "withdrew it", "edited": "edited", "resubmitted": "resubmitted it",
    "assessed": "assessed it", "signed_off_approve": "approved", "signed_off_deny": "denied",
    "denied": "denied it", "auto_denied": "denied automatically", "approved": "approved it",
    "commented": "commented", "reclassified": "re-classified it",
    "withdrawn_by_system": "withdrew it", "signoffs_set_aside": "set sign-offs aside",
}


@register.filter
def as_json(value) -> str:
    """A config as the JSON a developer would paste into a client's settings."""
    return json.dumps(value, indent=2, ensure_ascii=False)


@register.filter
def days_phrase(days: int) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"expired {-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "expires today"
    return f"{days} day{'s' if days != 1 else ''} left"


@register.filter
def verb_text(verb: str) -> str:
    return VERBS.get(verb, verb.replace("_", " "))
