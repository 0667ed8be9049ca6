from .selectors import menu_counts


def unread(request):
    """The count of unread notices, shown beside the account menu on every page (the
    notification list, which marks them read, says 0 without asking), and of the campaign
    items waiting for the reader's answer, beside their link: one query for both."""
    return menu_counts(getattr(request, "user", None),
                       unread=getattr(request, "unread_notifications", None))
