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


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
