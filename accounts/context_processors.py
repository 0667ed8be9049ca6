import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from governance import links

from . import roles

# The pages the menus of base.html link to: the same paths on every page, so reversed once
# per script prefix (the URL the portal is mounted at) rather than a dozen times a page.
NAV = ("admin:index", "audit", "campaign-items-mine", "campaigns", "catalog", "dashboard",
       "delegations", "exports", "logout", "my-requests", "notifications", "queue",
       "request-new", "tokens", "waiting-for-me")


@functools.cache
def _nav(prefix: str, urlconf: str) -> dict[str, str]:
    return {name.replace("-", "_").replace(":", "_"): reverse(name, urlconf=urlconf)
            for name in NAV}


def portal(request):
    user = getattr(request, "user", None)
    return {
        "nav": _nav(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF),
        "portal_base_url": links.base_url(),
        "user_roles": sorted(roles.roles_of(user)),
        "can_see_queue": roles.can_see_queue(user),
        "can_download_exports": roles.can_download_exports(user),
        "can_read_audit": roles.can_read_audit(user),
    }
