"""A compiled read answers what its query set answers, every time, as the rows change."""

import datetime as dt

from governance.compiled import CompiledRead
from registry.models import Approval, RegistryRevision
from registry.selectors import export_state
from tests.factories import ApprovalFactory, ServerFactory, UserFactory

READ = CompiledRead(lambda: Approval.objects.order_by("pk").values_list(
    "version", "config", "expires", "status_changed_at"))


def test_rows_are_those_of_the_query_set_as_they_change(db):
    assert READ.rows() == []
    first = ApprovalFactory(version="1.0.0")
    assert READ.rows() == list(READ.build())
    ApprovalFactory(version="2.0.0", expires=dt.date(2030, 1, 2))
    Approval.objects.filter(pk=first.pk).update(version="1.0.1")
    rows = READ.rows()
    assert rows == list(READ.build())
    assert [r[0] for r in rows] == ["1.0.1", "2.0.0"]
    assert isinstance(rows[0][1], dict) and rows[1][2] == dt.date(2030, 1, 2)


def test_the_export_state_follows_the_revision(db, django_assert_num_queries):
    RegistryRevision.load()
    before = export_state().number
    RegistryRevision.objects.filter(pk=1).update(number=before + 7)
    with django_assert_num_queries(1):
        assert export_state().number == before + 7


BY_SERVER = CompiledRead(lambda server_id, ids: Approval.objects.filter(
    server_id=server_id, pk__in=ids).order_by("version").values_list("version"))
SERVERS = CompiledRead(lambda ids: Approval.objects.filter(server_id__in=ids).values_list("pk"))


def test_parameters_are_each_calls_values(db, django_assert_num_queries):
    """The SQL is compiled once per shape of the call; each call's values are its own."""
    one, two = ServerFactory(name="one"), ServerFactory(name="two")
    first = ApprovalFactory(server=one, version="1.0.0")
    second = ApprovalFactory(server=two, version="2.0.0")
    assert SERVERS.rows([one.pk]) == [(first.pk,)]
    with django_assert_num_queries(2):
        assert SERVERS.count([two.pk]) == 1
        assert SERVERS.count([one.pk, two.pk]) == 2
    assert SERVERS.rows([]) == [] and SERVERS.count([]) == 0
    assert BY_SERVER.rows(one.pk, [first.pk, second.pk]) == [("1.0.0",)]
    assert BY_SERVER.rows(two.pk, [first.pk, second.pk]) == [("2.0.0",)]
    assert BY_SERVER.rows(two.pk, [first.pk]) == []


BY_OWNER_AND_DAY = CompiledRead(lambda user_id: Approval.objects.filter(
    owner=user_id, expires__gte=dt.date(2030, 1, 1)).values_list("version", "approved_date"))


def test_a_read_run_again_and_again_stays_right(db):
    """On PostgreSQL a read binds its values on the server and is prepared once it has run
    a few times on the connection (psycopg's prepare_threshold, 5): every call before and
    after answers its own values, dates as the ORM gives them."""
    ann, bob = UserFactory(), UserFactory()
    kept = ApprovalFactory(owner=ann, version="1.0.0", expires=dt.date(2031, 5, 6))
    ApprovalFactory(owner=ann, version="0.9.0", expires=dt.date(2029, 1, 1))
    other = ApprovalFactory(owner=bob, version="2.0.0", expires=dt.date(2032, 1, 1))
    for _ in range(8):
        assert BY_OWNER_AND_DAY.rows(ann.pk) == [("1.0.0", kept.approved_date)]
        assert BY_OWNER_AND_DAY.rows(bob.pk) == [("2.0.0", other.approved_date)]
        assert BY_OWNER_AND_DAY.rows(2**31 - 1) == []


SEARCH = CompiledRead(lambda text: Approval.objects.filter(
    server__name__icontains=text).order_by("server__name").values_list("server__name"))
EXACT = CompiledRead(lambda text: Approval.objects.filter(version=text).values_list("version"))


def test_a_text_is_matched_as_the_query_set_would_match_it(db):
    """A text given to a compiled read finds what the query set finds: inside a LIKE
    pattern its % and _ are themselves, not wildcards; as a value it is compared whole."""
    for name in ("github", "git_hub", "100%-docs", "Gitlab"):
        ApprovalFactory(server=ServerFactory(name=name), version=f"{name}-1.0")
    for text in ("git", "GIT", "_", "t_h", "%", "0%-", "lab", "nothing", "", "\\"):
        expected = list(Approval.objects.filter(server__name__icontains=text)
                        .order_by("server__name").values_list("server__name"))
        assert SEARCH.rows(text) == expected, text
        assert SEARCH.count(text) == len(expected), text
    assert SEARCH.rows("t_h") == [("git_hub",)]
    assert EXACT.rows("github-1.0") == [("github-1.0",)]
    assert EXACT.rows("github-1._") == [] and EXACT.rows("%") == []
