from accounts.roles import signing_roles

from .waiting import WAITING_COUNT_CAP, waiting_count


def waiting(request):
    """How many requests wait on the reader's sign-off, beside the nav link to them; no
    query at all for someone who holds no signing role and signs for no one today. A page
    that has read the policy already (the queue) leaves it on the request."""
    user = getattr(request, "user", None)
    if not signing_roles(user):
        return {"can_sign": False, "waiting_for_me": 0}
    policy = getattr(request, "policy_in_force", None)
    count = waiting_count(user, policy)
    # Shown as "99+" past the cap (the "Waiting for me" page counts them all).
    return {"can_sign": True, "waiting_for_me": min(count, WAITING_COUNT_CAP - 1),
            "waiting_for_me_more": count >= WAITING_COUNT_CAP}
