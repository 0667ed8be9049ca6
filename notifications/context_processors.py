from .selectors import unread_count


def unread(request):
    """The count of unread notices, shown beside the account menu on every page."""
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
