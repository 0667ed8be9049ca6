"""The lists of issue 11 item 7: sortable columns (the FilterSets' `ordering`, read alike by
the pages and the API), search in the queue and a wider one in the catalog, and the query
counts that sorting must not move. Bulk claiming is in test_bulk_claim.py, the countdown in
tests/governance/test_list_tags.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.filtersets import RequestFilterSet
from approvals.models import Request
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(security, second_security):
    now = timezone.now()
    alice = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    bob = UserFactory(username="bob")
    return {
        "zeta": RequestFactory(server=ServerFactory(name="zeta-docs"), requester=alice,
                               risk="HIGH", reviewer=second_security,
                               expected_decision=now + dt.timedelta(days=3),
                               use_case="Search the payroll wiki."),
        "alpha": RequestFactory(server=ServerFactory(name="alpha-git", package="@acme/gitty"),
                                requester=bob, risk="LOW",
                                expected_decision=now + dt.timedelta(days=1)),
        "mid": RequestFactory(server=ServerFactory(name="mid-tickets"), requester=bob,
                              risk="MEDIUM", reviewer=security,
                              expected_decision=now - dt.timedelta(days=2)),
    }


def names(response):
    """The servers of a list's rows: the queue's rows carry the name (QueueItem), the
    requester's list has the requests themselves."""
    return [getattr(r, "server_name", None) or r.server.name for r in response.context["page"]]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("", ["mid-tickets", "alpha-git", "zeta-docs"]),  # soonest due first, as before
    ("expected_decision", ["mid-tickets", "alpha-git", "zeta-docs"]),
    ("-expected_decision", ["zeta-docs", "alpha-git", "mid-tickets"]),
    ("server", ["alpha-git", "mid-tickets", "zeta-docs"]),
    ("-server", ["zeta-docs", "mid-tickets", "alpha-git"]),
    ("risk", ["alpha-git", "mid-tickets", "zeta-docs"]),  # LOW < MEDIUM < HIGH, not A-Z
    ("-risk", ["zeta-docs", "mid-tickets", "alpha-git"]),
    ("requester,-server", ["zeta-docs", "mid-tickets", "alpha-git"]),
    # Unclaimed last both ways, on SQLite as on PostgreSQL.
    ("reviewer", ["mid-tickets", "zeta-docs", "alpha-git"]),
    ("-reviewer", ["zeta-docs", "mid-tickets", "alpha-git"]),
])
def test_the_queue_and_the_api_sort_alike(client_for, api, security, rows, ordering, expected):
    query = {"ordering": ordering} if ordering else {}
    page = client_for(security).get("/queue/", query)
    assert page.status_code == 200
    assert names(page) == expected
    body = api(security).get("/api/v1/requests/", {**query, "open": "true"}).json()
    by_id = {r.pk: r.server.name for r in rows.values()}
    assert [by_id[r["id"]] for r in body["results"]] == expected


def test_a_sorted_header_says_so_and_its_link_turns_the_order(client_for, security, rows):
    html = client_for(security).get("/queue/", {"ordering": "server", "kind": "new_server"}
                                    ).content.decode()
    assert 'aria-sort="ascending"><a class="sort" href="?ordering=-server&amp;kind=new_server"' \
        in html
    # Unsorted columns offer ascending first; the filters stay in every heading's link.
    assert 'href="?ordering=risk&amp;kind=new_server"' in html
    assert html.count("aria-sort=") == 1
    default = client_for(security).get("/queue/").content.decode()
    assert 'aria-sort="ascending"><a class="sort" href="?ordering=-expected_decision"' in default


def test_the_pager_keeps_the_sort(client_for, security):
    for n in range(30):
        RequestFactory(server=ServerFactory(name=f"srv-{n:02d}"))
    response = client_for(security).get("/queue/", {"ordering": "-server"})
    assert names(response)[0] == "srv-29"
    assert "?ordering=-server&amp;page=2" in response.content.decode()
    second = client_for(security).get("/queue/", {"ordering": "-server", "page": 2})
    assert names(second)[0] == "srv-04"


@pytest.mark.parametrize("bad", ["bogus", "-", "server;drop", "--server", "justification"])
def test_an_unknown_sort_key_is_named_never_a_500(client_for, api, security, rows, bad):
    page = client_for(security).get("/queue/", {"ordering": bad})
    html = page.content.decode()
    assert page.status_code == 400
    assert "unknown sort key" in html and "expected_decision" in html
    assert page.context["page"].paginator.count == 0
    answer = api(security).get("/api/v1/requests/", {"ordering": bad})
    assert answer.status_code == 400
    assert "ordering" in answer.content.decode()


def test_sorting_adds_no_query_per_row(client_for, security, django_assert_max_num_queries):
    client = client_for(security)
    RequestFactory(reviewer=security)
    client.get("/queue/", {"ordering": "-reviewer"})
    with CaptureQueriesContext(connection) as few:
        client.get("/queue/", {"ordering": "-reviewer"})
    for _ in range(30):
        RequestFactory(reviewer=security)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/queue/", {"ordering": "-reviewer"})
    assert len(response.context["page"]) == 25


def test_sorting_by_due_date_keeps_the_index_order(security):
    """Asked for by name, the due date sorts as the index does (due, then id), with no
    expression the database would have to compute for every open request."""
    sql = str(RequestFilterSet({"ordering": "expected_decision", "open": "true"},
                               queryset=Request.objects.all()).qs.query)
    order = sql.rsplit("ORDER BY", 1)[1]
    assert "expected_decision" in order and "ASC" in order and "CASE" not in order
    assert "NULLS" not in order


@pytest.mark.parametrize(("search", "expected"), [
    ("zeta", {"zeta"}),                      # the server's name
    ("GITTY", {"alpha"}),                    # the package, any case
    ("martin", {"zeta"}),                    # the requester's name
    ("bob", {"alpha", "mid"}),               # the requester's username
    ("payroll wiki", {"zeta"}),              # the justification
    ("nothing like it", set()),
])
def test_the_queue_searches_what_reviewers_look_for(client_for, api, security, rows, search,
                                                    expected):
    page = client_for(security).get("/queue/", {"search": search})
    assert {r.pk for r in page.context["page"]} == {rows[k].pk for k in expected}
    body = api(security).get("/api/v1/requests/", {"search": search}).json()
    assert {r["id"] for r in body["results"]} == {rows[k].pk for k in expected}


@pytest.mark.parametrize("ids_max", [0, 1000])
def test_a_search_that_names_many_rows_finds_the_same(client_for, security, rows, ids_max,
                                                       monkeypatch):
    """Past SEARCH_IDS_MAX found ids a table, the search keeps the subquery itself: the
    same requests either way."""
    monkeypatch.setattr("approvals.filtersets.SEARCH_IDS_MAX", ids_max)
    for search, expected in (("bob", {"alpha", "mid"}), ("-", {"zeta", "alpha", "mid"}),
                             ("payroll", {"zeta"})):
        page = client_for(security).get("/queue/", {"search": search})
        assert {r.pk for r in page.context["page"]} == {rows[k].pk for k in expected}


def test_the_queue_finds_a_request_by_its_number(client_for, security, rows):
    page = client_for(security).get("/queue/", {"search": f"#{rows['mid'].pk}"})
    assert rows["mid"].pk in {r.pk for r in page.context["page"]}
    huge = client_for(security).get("/queue/", {"search": "9" * 40})
    assert huge.status_code == 200  # a number no database holds is text, never a 500


def test_a_search_longer_than_allowed_is_named(client_for, security):
    response = client_for(security).get("/queue/", {"search": "x" * 101})
    assert response.status_code == 400
    assert "search" in response.content.decode()


@pytest.fixture
def catalog():
    owner = UserFactory(username="dana", first_name="Dana", last_name="Payments-Team")
    ApprovalFactory(server=ServerFactory(name="ledger", package="@fin/ledger-mcp"),
                    risk="HIGH", rationale="Reads the general ledger for month-end close.",
                    owner=owner)
    ApprovalFactory(server=ServerFactory(name="wiki"), risk="LOW",
                    rationale="Company handbook lookups.")
    ApprovalFactory(server=ServerFactory(name="pager"), risk="MEDIUM", expires=
                    timezone.localdate() + dt.timedelta(days=5))
    RequestFactory(server=ServerFactory(name="secretive"), use_case="Our ledger migration.")


@pytest.mark.parametrize(("search", "expected"), [
    ("ledger-mcp", {"ledger"}),        # the package
    ("month-end", {"ledger"}),         # the purpose the approval records
    ("payments-team", {"ledger"}),     # the owner: the team that answers for it
    ("dana", {"ledger"}),
    ("handbook", {"wiki"}),
    ("wik", {"wiki"}),                 # the name, as before
])
def test_the_catalog_searches_name_package_purpose_and_owner(client_for, api, developer,
                                                             catalog, search, expected):
    page = client_for(developer).get("/", {"search": search})
    assert {s.name for s in page.context["page"]} == expected
    body = api(developer).get("/api/v1/servers/", {"search": search}).json()
    assert {s["name"] for s in body["results"]} == expected


def test_the_catalog_search_leaves_requests_private_text_alone(client_for, developer, catalog):
    """A request's justification is for its requester and the reviewers: searching the
    catalog for it does not reveal which server it is about."""
    page = client_for(developer).get("/", {"search": "migration"})
    assert list(page.context["page"]) == []


@pytest.mark.parametrize(("ordering", "expected"), [
    ("", ["ledger", "pager", "secretive", "wiki"]),
    ("-name", ["wiki", "secretive", "pager", "ledger"]),
    ("risk", ["wiki", "pager", "ledger", "secretive"]),     # no approval: last both ways
    ("-risk", ["ledger", "pager", "wiki", "secretive"]),
    ("expires", ["pager", "ledger", "wiki", "secretive"]),
])
def test_the_catalog_and_the_servers_api_sort_alike(client_for, api, developer, catalog,
                                                    ordering, expected):
    query = {"ordering": ordering} if ordering else {}
    page = client_for(developer).get("/", query)
    assert [s.name for s in page.context["page"]][:3] == expected[:3]
    assert [s.name for s in page.context["page"]][-1] == expected[-1]
    body = api(developer).get("/api/v1/servers/", query).json()
    assert [s["name"] for s in body["results"]][:3] == expected[:3]


def test_the_catalog_refuses_an_unknown_sort_key(client_for, developer, catalog):
    response = client_for(developer).get("/", {"ordering": "status"})
    assert response.status_code == 400
    assert "unknown sort key &#x27;status&#x27;" in response.content.decode()


def test_my_requests_sort_by_a_column(client_for, developer):
    RequestFactory(server=ServerFactory(name="bbb"), requester=developer)
    RequestFactory(server=ServerFactory(name="aaa"), requester=developer)
    client = client_for(developer)
    assert names(client.get("/requests/mine/")) == ["aaa", "bbb"]  # newest first
    assert names(client.get("/requests/mine/", {"ordering": "server"})) == ["aaa", "bbb"]
    assert names(client.get("/requests/mine/", {"ordering": "-server"})) == ["bbb", "aaa"]
    html = client.get("/requests/mine/", {"ordering": "-server", "status": "open"}
                      ).content.decode()
    assert 'aria-sort="descending"' in html
    assert client.get("/requests/mine/", {"ordering": "nope"}).status_code == 400


def test_the_audit_page_and_api_sort_by_actor(client_for, api, security, second_security,
                                              file):
    from approvals import services as workflow

    request = file()
    workflow.add_comment(actor=second_security, request=request, body="A question.")
    workflow.add_comment(actor=security, request=request, body="Another.")
    page = client_for(security).get("/audit/", {"ordering": "actor"})
    actors = [e.actor.username for e in page.context["page"] if e.actor]
    assert actors == sorted(actors)
    body = api(security).get("/api/v1/audit/", {"ordering": "-actor"}).json()
    listed = [e["actor"] for e in body["results"] if e["actor"]]
    assert listed == sorted(listed, reverse=True)
    assert 'aria-sort="ascending"' in page.content.decode()
    refused = client_for(security).get("/audit/", {"ordering": "changes"})
    assert refused.status_code == 400 and "unknown sort key" in refused.content.decode()


def test_the_queue_s_filters_show_what_was_chosen(client_for, security, second_security, rows):
    """Each filter's list keeps the reader's choice selected, and only it."""
    html = client_for(security).get("/queue/", {
        "risk": "HIGH", "kind": "new_server", "assignee": second_security.username,
    }).content.decode()
    assert names_in(html) == ["zeta-docs"]
    assert '<option value="HIGH" selected>HIGH</option>' in html
    assert '<option value="LOW">LOW</option>' in html
    assert '<option value="new_server" selected>' in html
    assert html.count(" selected>") == 3  # the risk, the kind and the reviewer alone
    assert f'<option value="{second_security.username}" selected>' in html


def names_in(html):
    return [name for name in ("alpha-git", "mid-tickets", "zeta-docs") if name in html]


def test_each_table_s_search_reads_its_trigram_index(rows):
    """On PostgreSQL each part of the queue's search is served by its table's trigram
    index (approvals migration 0013): the index's expression is the one the search
    compiles to. Only PostgreSQL has these indexes."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    from approvals.filtersets import SEARCHED, _searched

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for lookup in SEARCHED:
            query = _searched(lookup, "git").order_by().values_list("pk")
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "_search" in plan and "Index Scan" in plan, (lookup, plan)


def test_a_search_with_the_column_separator_matches_no_two_columns(client_for, security,
                                                                  rows):
    """The columns are searched joined by a separator; a text holding it is searched in
    each column on its own, so it never matches the end of one and the start of the next
    (alpha-git's name ends in "git", its package starts "@acme")."""
    page = client_for(security).get("/queue/", {"search": "git\x1f@acme"})
    assert page.status_code == 200 and names(page) == []
    assert names(client_for(security).get("/queue/", {"search": "@acme"})) == ["alpha-git"]
