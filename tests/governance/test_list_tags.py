"""The countdown beside a due date and the sortable headings (governance/templatetags/
lists.py). The countdown reads `expected_decision` against the clock as the overdue job
does (`expected_decision < now` is overdue)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory as HttpRequests
from django.utils import timezone

from approvals.models import Request
from approvals.services import flag_overdue_requests
from governance.templatetags.lists import due_phrase
from tests.factories import RequestFactory

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("delta", "phrase"), [
    (dt.timedelta(days=2), "due in 2 days"),
    (dt.timedelta(days=2, hours=23), "due in 2 days"),
    (dt.timedelta(days=1), "due in 1 day"),
    (dt.timedelta(hours=5, minutes=59), "due in 5 hours"),
    (dt.timedelta(hours=1), "due in 1 hour"),
    (dt.timedelta(minutes=12), "due in 12 minutes"),
    (dt.timedelta(seconds=30), "due now"),
    (dt.timedelta(0), "due now"),
    (-dt.timedelta(seconds=1), "overdue by 1 minute"),
    (-dt.timedelta(minutes=45), "overdue by 45 minutes"),
    (-dt.timedelta(hours=3), "overdue by 3 hours"),
    (-dt.timedelta(days=1), "overdue by 1 day"),
    (-dt.timedelta(days=3, hours=4), "overdue by 3 days"),
])
def test_due_phrase(delta, phrase):
    assert due_phrase(NOW + delta, NOW) == phrase


@pytest.mark.django_db
def test_overdue_in_the_countdown_is_overdue_for_the_job():
    now = timezone.now()
    late = RequestFactory(expected_decision=now - dt.timedelta(seconds=5))
    on_time = RequestFactory(expected_decision=now + dt.timedelta(minutes=5))
    flag_overdue_requests(now=now)
    for request in (late, on_time):
        request.refresh_from_db()
        flagged = request.overdue_flagged_at is not None
        assert due_phrase(request.expected_decision, now).startswith("overdue") == flagged


def render(text, **context):
    return Template("{% load lists %}" + text).render(Context(context))


@pytest.mark.django_db
def test_the_due_tag_gives_a_time_element_and_the_countdown():
    now = timezone.now()
    request = RequestFactory(expected_decision=now + dt.timedelta(days=2, hours=1))
    html = render("{% due r now=now %}", r=request, now=now)
    assert f'<time datetime="{request.expected_decision.isoformat()}">' in html
    assert 'class="badge countdown due">due in 2 days</span>' in html
    late = RequestFactory(expected_decision=now - dt.timedelta(days=3, hours=1))
    assert "overdue by 3 days" in render("{% due r now=now %}", r=late, now=now)


@pytest.mark.django_db
def test_a_decided_request_shows_no_countdown(security, file, approve):
    decided = approve(file())
    html = render("{% due r %}", r=Request.objects.get(pk=decided.pk))
    assert "<time" in html and "due in" not in html and "overdue" not in html


@pytest.mark.parametrize(("sort", "state", "link"), [
    ("server", ' aria-sort="ascending"', "ordering=-server"),
    ("-server", ' aria-sort="descending"', "ordering=server"),
    ("risk", "", "ordering=server"),
])
def test_sort_header(sort, state, link):
    request = HttpRequests().get("/queue/", {"page": "3", "kind": "renewal"})
    html = render('{% sort_header "Request" "server" %}', request=request, sort=sort)
    assert html.startswith(f'<th scope="col"{state}><a class="sort" href="?kind=renewal&amp;'
                           f'{link}">Request')
    assert "page=" not in html  # a new order starts at its first page


def test_sort_header_escapes_what_it_is_given():
    request = HttpRequests().get("/queue/", {"search": '"><script>'})
    html = render('{% sort_header label "server" %}', request=request, sort="", label="A<b>")
    assert "<script>" not in html and "A&lt;b&gt;" in html
