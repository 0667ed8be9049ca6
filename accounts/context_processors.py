from governance import links

from . import roles


def portal(request):
    user = getattr(request, "user", None)
    return {
        "portal_base_url": links.base_url(),
        "user_roles": sorted(roles.roles_of(user)),
        "can_see_queue": roles.can_see_queue(user),
        "can_download_exports": roles.can_download_exports(user),
        "can_read_audit": roles.can_read_audit(user),
    }
