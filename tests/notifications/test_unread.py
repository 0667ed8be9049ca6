"""Every page shows how many notices came since the person last opened their list;
opening it marks them read and shows which were new."""

import re

import pytest
from django.urls import reverse

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, subject):
    notice = Notification.objects.create(key=f"test:{subject}", kind="request_event",
                                         subject=subject, body="Something happened.")
    notice.recipients.add(user)
    return notice


def unread_shown(client) -> str | None:
    page = client.get(reverse("catalog")).content.decode()
    found = re.search(r'<span class="unread-count">(\d+)<span class="visually-hidden"> '
                      r'unread notifications?</span>', page)
    return found.group(1) if found else None


def test_a_new_notice_is_counted_on_every_page_until_the_list_is_opened(client, developer,
                                                                         other_developer):
    client.force_login(developer)
    assert unread_shown(client) is None
    notify(developer, "Request #1 was approved")
    notify(developer, "Request #2 needs information")
    notify(other_developer, "Not yours")
    assert unread_shown(client) == "2"

    listing = client.get(reverse("notifications")).content.decode()
    assert listing.count('<span class="badge-new">New</span>') == 2
    assert "Not yours" not in listing

    assert unread_shown(client) is None
    listing = client.get(reverse("notifications")).content.decode()
    assert "badge-new" not in listing  # read now, still listed
    assert "Request #1 was approved" in listing


def test_only_what_came_after_the_last_look_is_new(client, developer):
    client.force_login(developer)
    notify(developer, "Old news")
    client.get(reverse("notifications"))
    notify(developer, "Fresh news")
    assert unread_shown(client) == "1"
    listing = client.get(reverse("notifications")).content.decode()
    fresh, old = listing.index("Fresh news"), listing.index("Old news")
    assert listing.count("badge-new") == 1
    assert fresh < listing.index("badge-new") < old  # the badge is on the fresh one
