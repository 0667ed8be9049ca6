"""System checks of `manage.py check --deploy`: what would make a deployment unsafe."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

BUILTIN_KEY = (
    "SECRET_KEY is not set: with DEBUG off the portal will not serve on its built-in key, "
    "which is public (anyone could forge session cookies and other signed values with it). Set "
    "SECRET_KEY in the environment to a long random value, e.g. the output of: python -c "
    "\"import secrets; print(secrets.token_urlsafe(50))\"; or set DEBUG=1 for a "
    "development server (make run does)."
)


def serves_on_builtin_key() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == settings.EMBEDDED_SECRET_KEY


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if serves_on_builtin_key():
        return [Error(BUILTIN_KEY, id="governance.E001")]
    return []


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend.endswith("LocMemCache"):
        return [Warning(
            "CACHE_URL is not set: API throttle counters are kept in each process's memory, "
            "so every worker and web node counts on its own.",
            hint="Set CACHE_URL=redis://host:6379/1 (docker-compose.yml does).",
            id="governance.W001")]
    return []
