from .selectors import unread_count


def unread(request):
    """The count of unread notices, shown beside the account menu on every page (the
    notification list, which marks them read, says 0 without asking)."""
    known = getattr(request, "unread_notifications", None)
    if known is not None:
        return {"unread_notifications": known}
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
