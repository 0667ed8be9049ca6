from accounts.roles import roles_of
from governance.policy import routing

from .waiting import waiting_for


def waiting(request):
    """How many requests wait on the reader's sign-off, beside the nav link to them; no
    query at all for someone who holds no signing role."""
    user = getattr(request, "user", None)
    if not any(role in roles_of(user) for role in routing.SIGNING_ROLES):
        return {"can_sign": False, "waiting_for_me": 0}
    return {"can_sign": True, "waiting_for_me": waiting_for(user).count()}
