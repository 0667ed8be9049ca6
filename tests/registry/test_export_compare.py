"""Comparing two export snapshots picked from lists (issue 11 item 7): no typed numbers;
the same snapshot twice, the newer one first or one that does not exist is refused saying
so, never a 500."""

import pytest

from registry import services
from tests.factories import ApprovalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshots():
    made = []
    for name in ("alpha", "beta", "gamma"):
        ApprovalFactory(server__name=name)
        made.append(services.build_export(cause=f"{name} approved"))
    return made


def test_the_exports_page_offers_lists_to_compare_and_links_to_previous(client_for, platform,
                                                                        snapshots):
    a, b, c = snapshots
    html = client_for(platform).get("/exports/").content.decode()
    assert '<select name="a"' in html and '<select name="b"' in html
    assert 'type="number"' not in html
    assert f'<option value="{c.pk}" selected>#{c.pk} · ' in html  # newest, then the one
    assert f'<option value="{b.pk}" selected>#{b.pk} · ' in html  # before it
    assert "gamma approved" in html
    assert f"?a={b.pk}&amp;b={c.pk}\">compare with previous" in html
    detail = client_for(platform).get(f"/exports/{c.pk}/").content.decode()
    assert f"?a={b.pk}&amp;b={c.pk}\">compare with previous" in detail


def test_two_picked_snapshots_are_compared(client_for, platform, snapshots):
    a, _b, c = snapshots
    response = client_for(platform).get("/exports/diff/", {"a": a.pk, "b": c.pk})
    assert response.status_code == 200
    assert 'class="add"' in response.content.decode()


@pytest.mark.parametrize(("pick", "said"), [
    (lambda a, b: {"a": b.pk, "b": b.pk}, "pick two different snapshots"),
    (lambda a, b: {"a": b.pk, "b": a.pk}, "is newer than"),
    (lambda a, b: {"a": 998, "b": b.pk}, "there is no snapshot #998: pick one from the list"),
    (lambda a, b: {"a": "x1", "b": b.pk}, "there is no snapshot #x1"),
    (lambda a, b: {"a": "9" * 40, "b": b.pk}, "pick one from the list"),
    (lambda a, b: {"b": b.pk}, "pick the older snapshot from the list"),
])
def test_a_bad_pair_is_refused_saying_why(client_for, platform, snapshots, pick, said):
    a, b = snapshots[0], snapshots[2]
    response = client_for(platform).get("/exports/diff/", pick(a, b))
    html = response.content.decode()
    assert response.status_code == 400
    assert said in html and 'class="diff"' not in html


def test_the_wrong_way_round_offers_the_swap(client_for, platform, snapshots):
    a, c = snapshots[0], snapshots[2]
    html = client_for(platform).get("/exports/diff/", {"a": c.pk, "b": a.pk}).content.decode()
    assert f'href="/exports/diff/?a={a.pk}&amp;b={c.pk}"' in html or \
        f'href="/exports/diff/?a={a.pk}&b={c.pk}"' in html
