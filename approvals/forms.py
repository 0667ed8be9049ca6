"""Forms of the request pages. They only shape what was typed; the rules live in the
workflow service, whose errors approvals.form_errors puts back next to the fields."""

from __future__ import annotations

import json

from django import forms

from governance import limits
from governance.policy import routing, tools
from registry.models import PackageRegistry

from .models import RequestKind, RequestStatus, SignOff

SCOPE_CHOICES = [("", "— choose —")] + [(s, s) for s in routing.DATA_SCOPES]
RISK_CHOICES = [("", "— not set —")] + [(r, r) for r in routing.RISKS]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ConfigFieldsMixin:
    """Config as fields (command, one argument a line, NAME=value env lines) or pasted JSON.
    The JSON wins when both are given; either way the service validates the result."""

    def add_config_fields(self):
        self.fields["command"] = forms.CharField(
            required=False, label="Command", help_text="e.g. npx, uvx or docker",
            widget=forms.TextInput(attrs={"placeholder": "npx", "autocomplete": "off"}))
        self.fields["args"] = forms.CharField(
            required=False, label="Arguments", help_text="One argument per line, with the "
            "package pinned to the version, e.g. @scope/pkg@1.2.3",
            widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}))
        self.fields["env"] = forms.CharField(
            required=False, label="Environment", help_text="One NAME=value per line; secrets "
            "as placeholders such as ${DB_PASS}, never the secret itself",
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
        self.fields["config_json"] = forms.CharField(
            required=False, label="Config as JSON", help_text='Instead of the fields: paste '
            'the server\'s entry, e.g. {"command": "npx", "args": [...]} or, for a remote '
            'server, {"type": "http", "url": "https://…"}',
            widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))

    @staticmethod
    def config_initial(config: dict) -> dict:
        config = config or {}
        if set(config) <= {"command", "args", "env", "type"} and config.get(
                "type", "stdio") == "stdio":
            return {
                "command": config.get("command", ""),
                "args": "\n".join(str(a) for a in config.get("args", []) or []),
                "env": "\n".join(f"{k}={v}" for k, v in (config.get("env") or {}).items()),
            }
        return {"config_json": json.dumps(config, indent=2)}

    def uses_json(self) -> bool:
        return bool((self.data.get(self.add_prefix("config_json")) or "").strip())

    def config_field_for(self, part: str, detail: str):
        if self.uses_json():
            where = ".".join(p for p in (part, detail) if p)
            return "config_json", where
        if part == "command":
            return "command", ""
        if part == "args":
            return "args", ""
        if part == "env":
            return "env", detail
        if part == "":
            return "command", ""
        return "config_json", ".".join(p for p in (part, detail) if p)

    def clean_config(self, cleaned):
        text = (cleaned.get("config_json") or "").strip()
        if text:
            try:
                config = limits.loads_json(text)
            except json.JSONDecodeError as exc:
                self.add_error("config_json", f"this is not valid JSON: {exc.msg} at line "
                                              f"{exc.lineno}, column {exc.colno}")
                return None
            except limits.BadInput as exc:
                self.add_error("config_json", str(exc) if exc.where else
                               f"this JSON {exc.message}")
                return None
            if isinstance(config, dict) and isinstance(config.get("mcpServers"), dict) and len(
                    config["mcpServers"]) == 1:
                config = next(iter(config["mcpServers"].values()))
            return config
        env, bad = {}, []
        for line in _lines(cleaned.get("env", "")):
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                bad.append(line)
            else:
                env[name.strip()] = value.strip()
        if bad:
            self.add_error("env", f"write each variable as NAME=value; not understood: "
                                  f"{', '.join(bad)}")
            return None
        command = (cleaned.get("command") or "").strip()
        args = _lines(cleaned.get("args", ""))
        if not command and not args and not env:
            return {}
        return {"command": command, "args": args, "env": env}


class RequestForm(ConfigFieldsMixin, forms.Form):
    """File a new server, a version bump or a renewal (SPEC §4)."""

    kind = forms.ChoiceField(choices=RequestKind.choices, label="Kind of request",
                             widget=forms.RadioSelect)
    server_name = forms.CharField(
        max_length=64, label="Server name", help_text="The slug in the catalog: lower-case "
        "letters, digits, dots, dashes, e.g. github-mcp",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "server-names"}))
    version = forms.CharField(
        max_length=100, required=False, label="Version",
        help_text="An exact release such as 1.2.3 or an OCI digest sha256:…; never latest "
        "or a range. A renewal keeps the approved version.")
    source = forms.CharField(
        max_length=500, required=False, label="Source",
        help_text="https:// URL of the code, or internal for company-built servers")
    package = forms.CharField(max_length=300, required=False, label="Package",
                              help_text="npm or PyPI name, or OCI image")
    package_registry = forms.ChoiceField(
        required=False, label="Package registry",
        choices=[("", "— none / remote —")] + list(PackageRegistry.choices))
    proposed_data_scope = forms.ChoiceField(
        choices=SCOPE_CHOICES, required=False, label="Data it will reach",
        help_text="PUBLIC, INTERNAL, CONFIDENTIAL (needs the engineering director) or "
        "RESTRICTED (never allowed)")
    use_case = forms.CharField(required=False, label="Use case",
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="What you will use it for")
    what_changed = forms.CharField(
        required=False, label="What changed since an earlier denial",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when this server was denied before")
    notes = forms.CharField(required=False, label="Notes for the reviewers",
                            widget=forms.Textarea(attrs={"rows": 2}))
    excluded_tools = forms.CharField(
        required=False, label="Tools to leave out (proposed)",
        help_text="Tool names the approval should exclude, one per line (e.g. "
        "delete_repository). A bump or renewal keeps those of the approved version.",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_config_fields()

    def clean(self):
        cleaned = super().clean()
        cleaned["config"] = self.clean_config(cleaned)
        return cleaned

    def service_kwargs(self) -> dict:
        """What the workflow's file_request() takes; after a failed is_valid(), the fields
        that were valid (the others blank), for filing_problems()."""
        data = self.cleaned_data
        text = {name: (data.get(name) or "") for name in (
            "kind", "server_name", "version", "use_case", "proposed_data_scope", "source",
            "package", "package_registry", "notes", "what_changed")}
        for name in ("server_name", "version", "source", "package"):
            text[name] = text[name].strip()
        return {**text, "config": data.get("config") or {},
                "excluded_tools": tools.split_names(data.get("excluded_tools") or "")}


class EditRequestForm(ConfigFieldsMixin, forms.Form):
    """The requester answers needs_info: the editable fields of the request."""

    version = RequestForm.base_fields["version"]
    source = RequestForm.base_fields["source"]
    proposed_data_scope = RequestForm.base_fields["proposed_data_scope"]
    use_case = RequestForm.base_fields["use_case"]
    what_changed = RequestForm.base_fields["what_changed"]
    notes = RequestForm.base_fields["notes"]
    answer = forms.CharField(
        required=False, label="Your answer to the reviewer", widget=forms.Textarea(
            attrs={"rows": 3}),
        help_text="Kept as a comment. Resubmitting needs an answer or a change.")

    def __init__(self, *args, request=None, **kwargs):
        if request is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "version": request.version, "source": request.source,
                "proposed_data_scope": request.proposed_data_scope,
                "use_case": request.use_case, "what_changed": request.what_changed,
                "notes": request.notes, **self.config_initial(request.config),
            }
        super().__init__(*args, **kwargs)
        self.add_config_fields()
        self.original = request

    def clean(self):
        cleaned = super().clean()
        cleaned["config"] = self.clean_config(cleaned)
        return cleaned

    def changes(self) -> dict:
        data, original = self.cleaned_data, self.original
        wanted = {
            "version": data["version"].strip(), "source": data["source"].strip(),
            "proposed_data_scope": data["proposed_data_scope"], "use_case": data["use_case"],
            "what_changed": data["what_changed"], "notes": data["notes"], "config": data["config"],
        }
        return {k: v for k, v in wanted.items() if getattr(original, k) != v}


# ─── reviewer forms ─────────────────────────────────────────────────────────────────


class AssignForm(forms.Form):
    reviewer = forms.ChoiceField(label="Reviewer", required=False)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "me")] + [
            (u.username, u.get_username()) for u in reviewers]


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label="Move to")
    notes = forms.CharField(required=False, label="Notes",
                            help_text="Trial notes are required to leave sandbox_trial",
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, moves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (m, RequestStatus(m).label) for m in sorted(moves)]


class AssessmentForm(forms.Form):
    risk = forms.ChoiceField(choices=RISK_CHOICES, required=False, label="Risk")
    data_scope = forms.ChoiceField(choices=[("", "— as proposed —")] + SCOPE_CHOICES[1:],
                                   required=False, label="Final data scope")
    rationale = forms.CharField(required=False, label="Rationale",
                                widget=forms.Textarea(attrs={"rows": 2}))
    restrictions = forms.CharField(required=False, label="Restrictions",
                                   help_text="One restriction per line",
                                   widget=forms.Textarea(attrs={"rows": 3}))
    excluded_tools = forms.CharField(
        required=False, label="Excluded tools",
        help_text="Tools of the server the approval does not cover, one per line; they are "
        "denied in Claude Code. Lifting one sets earlier sign-offs aside.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"risk": data["risk"] or None, "data_scope": data["data_scope"] or None,
                "rationale": data["rationale"], "restrictions": _lines(data["restrictions"]),
                # A form posted without the field (a script's) leaves the exclusions be.
                "excluded_tools": tools.split_names(data["excluded_tools"]) if (
                    self.add_prefix("excluded_tools") in self.data) else None}


class SignOffForm(forms.Form):
    role = forms.ChoiceField(label="Sign off as")
    decision = forms.ChoiceField(choices=SignOff.Decision.choices, label="Decision",
                                 widget=forms.RadioSelect)
    comment = forms.CharField(required=False, label="Comment",
                              help_text="A full security review writes its findings here",
                              widget=forms.Textarea(attrs={"rows": 3}))
    release_notes = forms.CharField(required=False, label="Release notes reviewed",
                                    help_text="A link to the release notes or a summary "
                                    "(patch bumps need it)",
                                    widget=forms.Textarea(attrs={"rows": 2}))
    expires = forms.DateField(required=False, label="Shorter expiry (optional)",
                              widget=forms.DateInput(attrs={"type": "date"}))
    exclude_tools = forms.CharField(
        required=False, label="Approve with these tools excluded (optional)",
        help_text="Tool names, one per line, added to the request's excluded tools",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}))
    reason = forms.CharField(required=False, label="Reason (for a deny)",
                             widget=forms.Textarea(attrs={"rows": 2}))
    alternative = forms.CharField(required=False, label="Alternative (for a deny)",
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, roles=(), **kwargs):
        """`roles`: (role, the delegator signed for or None), as
        approvals.services.signable_roles gives them."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (role, f"{role}, signing on behalf of {delegator.get_username()}" if delegator
             else role) for role, delegator in roles]
        self.on_behalf_of = {role: delegator for role, delegator in roles if delegator}

    def clean_exclude_tools(self) -> list[str]:
        return tools.split_names(self.cleaned_data.get("exclude_tools") or "")


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))


class ServerJsonForm(forms.Form):
    """Fill the filing form from a publisher's server.json, or from a server of a public
    MCP registry (approvals.server_json_in); files nothing."""

    server_json = forms.CharField(
        required=False, label="Paste a server.json", max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="The MCP Registry's ServerDetail, as publishers write it.")
    registry_name = forms.CharField(
        required=False, label="Or name a server of the public MCP registry", max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. io.github.user/weather",
                                      "autocomplete": "off"}))


class DelegationForm(forms.Form):
    """A delegation of one's sign-off duty: the form reads the fields (a date that is no
    date is its refusal); approvals.services.delegate_signoffs checks every rule and names
    the field each problem is in."""

    role = forms.ChoiceField(label="Role")
    delegate = forms.CharField(label="Delegate (username)", max_length=150, required=False,
                               help_text="The colleague who signs for you on those days")
    starts = forms.DateField(label="First day", required=False,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"invalid": "give the first day as YYYY-MM-DD"})
    ends = forms.DateField(label="Last day", required=False,
                           widget=forms.DateInput(attrs={"type": "date"}),
                           help_text="Inclusive: the delegation ends by itself after this day",
                           error_messages={"invalid": "give the last day as YYYY-MM-DD"})
    reason = forms.CharField(label="Reason", required=False, help_text="e.g. holiday")

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, role) for role in roles]
        self.fields["role"].error_messages["invalid_choice"] = (
            f"choose a role you hold: {', '.join(roles)}")
