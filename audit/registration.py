"""Every model is recorded by django-auditlog. Each app registers its own models in its
AppConfig.ready through `register`; this app registers those of the apps below it, which
cannot import it (audit.apps). Config values that may hold secrets are masked."""

import json

from auditlog.registry import auditlog

from governance.policy import secrets

# Config diffs show what runs (command, args, url) but not env and header values.
CONFIG_MASK = {"mask_fields": ["config"], "mask_callable": "audit.registration.mask_config"}


def register(*models, **options) -> None:
    """Record every change of `models` in the audit trail (once, however often called)."""
    for model in models:
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def mask_config(value: str) -> str:
    """A config as the audit trail keeps it: env and header values hidden (placeholders such
    as ${VAR} stay readable), everything else as it is, so a reviewer sees what changed."""
    try:
        config = json.loads(value)
    except (TypeError, ValueError):
        return "*" * len(value or "")
    if not isinstance(config, dict):
        return value
    for key in ("env", "headers"):
        if isinstance(config.get(key), dict):
            config[key] = {
                name: v if isinstance(v, str) and secrets.PLACEHOLDER.fullmatch(v) else "••••"
                for name, v in config[key].items()
            }
    return json.dumps(config, sort_keys=True)
