from accounts.roles import signing_roles

from .waiting import waiting_for


def waiting(request):
    """How many requests wait on the reader's sign-off, beside the nav link to them; no
    query at all for someone who holds no signing role and signs for no one today. A page
    that has read the policy already (the queue) leaves it on the request."""
    user = getattr(request, "user", None)
    if not signing_roles(user):
        return {"can_sign": False, "waiting_for_me": 0}
    policy = getattr(request, "policy_in_force", None)
    return {"can_sign": True, "waiting_for_me": waiting_for(user, policy).count()}
