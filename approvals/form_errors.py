"""Putting the workflow's refusals on a form: each message next to its field, the rest
at the top, and a link to what a duplicate conflicts with that the viewer may open."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from accounts import roles

from .models import Request

# Service error keys that are named differently on the forms.
FIELD_ALIASES = {"body": "body", "data_scope": "data_scope", "kind": "kind"}


def show_service_error(form: forms.Form, exc) -> None:
    """Put a ServiceError's messages on the form: each next to its field where the form has
    one (config.* keys go to the config fields), the rest at the top of the form."""
    errors = exc.errors or {}
    placed = False
    for key, messages in errors.items():
        field, prefix = _field_for(form, key)
        for message in messages:
            text = f"{prefix}: {message}" if prefix else message
            if field and field in form.fields:
                form.add_error(field, text)
                placed = True
            else:
                form.add_error(None, f"{key}: {message}" if key else message)
                placed = True
    if not placed or exc.link:
        form.add_error(None, exc.message)
    form.service_link = exc.link
    conflicting = exc.conflict.get("request_id")
    form.service_link_label = (
        "Open the existing request"
        if conflicting and exc.link == reverse("request-detail", args=[conflicting])
        else "See the open requests for this server")


CONFIG_FIELDS = ("command", "args", "env", "config_json")


def add_rule_problems(form: forms.Form, problems: dict[str, list[str]]) -> None:
    """Put the workflow's problems on a form that has its own errors already, for the
    fields it has said nothing about yet: one submit shows every problem."""
    config_said = any(form.errors.get(name) for name in CONFIG_FIELDS)
    for key, messages in problems.items():
        field, prefix = _field_for(form, key)
        if field is None or form.errors.get(field) or (field in CONFIG_FIELDS and config_said):
            continue
        for message in messages:
            form.add_error(field, f"{prefix}: {message}" if prefix else message)


def link_for_viewer(exc, user):
    """Point a refusal's link at something `user` may open (SPEC §4 rule 9).

    The service links a duplicate filing to the open request it conflicts with (the
    request's id is in `exc.conflict`); only its requester and the reviewers may open that
    page, so anyone else is sent to the server's page, which lists its open requests.
    Changes `exc.link` in place; the id stays in `exc.conflict` (the message names it too)."""
    conflicting = exc.conflict.get("request_id")
    if not conflicting:
        return exc
    found = (Request.objects.filter(pk=conflicting)
             .values_list("requester_id", "server__name").first())
    if found is None:
        return exc
    requester_id, server_name = found
    if requester_id == user.pk or roles.can_see_queue(user):
        return exc
    exc.link = reverse("server-detail", args=[server_name])
    return exc


def _field_for(form, key: str) -> tuple[str | None, str]:
    """The form field a service error key belongs to, and a prefix naming the detail."""
    if key == "config" or key.startswith("config."):
        part = key.split(".", 2)
        config_fields = getattr(form, "config_field_for", None)
        if config_fields:
            return config_fields(part[1] if len(part) > 1 else "",
                                 part[2] if len(part) > 2 else "")
        return ("config", "") if "config" in form.fields else (None, "")
    key = FIELD_ALIASES.get(key, key)
    return (key, "") if key in form.fields else (None, "")
