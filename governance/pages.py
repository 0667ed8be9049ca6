"""What every page needs, whatever app it belongs to: a role check that answers with the 403
page, and pagination. Imports no app: the checks are passed in (accounts.roles)."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

PAGE_SIZE = 25


def role_required(check, refusal: str):
    """Sign-in required, then `check(user)`; otherwise the 403 page says `refusal`."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, counted=None):
    """The page the request asks for. `counted`: the query set to count instead of
    `queryset` (the same rows, without the joins that a list's values need)."""
    paginator = Paginator(queryset, per_page)
    if counted is not None:
        paginator.count = counted.count()  # Paginator.count is a cached property
    return paginator.get_page(request.GET.get("page"))
