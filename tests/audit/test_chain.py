"""The audit trail's hash chain: every write path chains its entries; `verify_audit` names the
first entry changed, removed or inserted behind the portal's back (tampered here with SQL, as
a database administrator would) and exits non-zero; the daily job publishes the signed head
to the security team and alerts them on a break; the audit page shows the chain's state."""

import base64
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain
from audit.actors import system_user
from audit.models import ChainHead, ChainLink
from audit.writes import audit_written, bulk_audit
from governance import signing
from notifications.models import Notification
from notifications.tasks import verify_audit_chain
from registry.models import Approval, Server
from registry.services import expire_due_approvals
from tests.factories import ApprovalFactory

pytestmark = pytest.mark.django_db


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def trail(db):
    """Entries from every write path: saves (django-auditlog's receivers), a set-based
    expiry (INSERT ... SELECT), bulk_audit and audit_written (bulk_create)."""
    approvals = [ApprovalFactory(server__name=f"s{n}") for n in range(3)]
    far = dt.date.today() + dt.timedelta(days=3000)
    assert len(expire_due_approvals(today=far)) == 3
    actor = system_user()
    from django.utils import timezone

    bulk_audit(Server, [(a.server_id, a.server.name) for a in approvals],
               {"note": ["", "bulk"]}, actor, timezone.now())
    server = Server(name="imported", package="@x/imported")
    server.save()
    audit_written([(None, server)], actor=actor, now=timezone.now())
    return approvals


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_every_write_path_chains_its_entries_and_the_chain_verifies(trail):
    entries = LogEntry.objects.count()
    assert entries >= 12
    assert ChainLink.objects.count() == entries == ChainHead.objects.get().seq
    assert f"intact: {entries} entries" in verify_audit()


@pytest.mark.tampers_audit
def test_a_changed_entry_is_named(trail):
    victim = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).order_by("pk")[1]
    sql("UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"audit entry #{victim.pk} \(chain position "
                                           r"\d+\) was changed"):
        verify_audit()


@pytest.mark.tampers_audit
def test_a_removed_entry_is_named(trail):
    victim = LogEntry.objects.order_by("pk")[4]
    sql("DELETE FROM auditlog_logentry WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"audit entry #{victim.pk} .* was removed"):
        verify_audit()


@pytest.mark.tampers_audit
def test_an_entry_removed_with_its_link_is_named(trail):
    link = ChainLink.objects.order_by("seq")[3]
    sql("DELETE FROM auditlog_logentry WHERE id = %s", [link.entry_id])
    sql("DELETE FROM audit_chainlink WHERE seq = %s", [link.seq])
    with pytest.raises(CommandError, match=rf"the link at chain position {link.seq} was removed"):
        verify_audit()


@pytest.mark.tampers_audit
def test_an_inserted_entry_is_named(trail):
    sql("INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, object_repr, "
        "action, changes_text, changes, timestamp) SELECT content_type_id, object_pk, "
        "object_id, 'forged', action, '', changes, timestamp FROM auditlog_logentry "
        "WHERE id = %s", [LogEntry.objects.order_by("pk").first().pk])
    forged = LogEntry.objects.get(object_repr="forged")
    with pytest.raises(CommandError, match=rf"audit entry #{forged.pk} was inserted"):
        verify_audit()


@pytest.mark.tampers_audit
def test_a_rewritten_tail_shows_against_the_head(trail):
    last = ChainLink.objects.order_by("-seq").first()
    sql("DELETE FROM auditlog_logentry WHERE id = %s", [last.entry_id])
    sql("DELETE FROM audit_chainlink WHERE seq = %s", [last.seq])
    with pytest.raises(CommandError, match="links at the end were removed"):
        verify_audit()


def test_the_upgrade_chains_entries_written_before_the_chain(trail):
    ChainLink.objects.all().delete()
    ChainHead.objects.all().delete()
    chain.chain_unchained(LogEntry)
    assert "intact" in verify_audit()


@pytest.fixture
def signer(settings):
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    settings.EXPORT_SIGNER = signing.load({"EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": pem,
                                           "EXPORT_SIGNING_KEY_ID": "k1"})
    return key


def test_the_daily_job_mails_the_signed_head_to_the_security_team(trail, security, signer,
                                                                  client_for):
    published = ChainHead.objects.get().hash
    result = verify_audit_chain()

    assert result["ok"]
    head = client_for(security).get("/api/v1/audit/chain-head").json()
    assert head["hash"] == published and head["verified"]
    signer.public_key().verify(base64.b64decode(head["signature"]), head["message"].encode())
    notice = Notification.objects.get(kind=Notification.Kind.AUDIT_HEAD)
    assert head["hash"] in notice.body and head["signature"] in notice.body
    assert [m.to for m in mail.outbox if head["hash"] in m.body] == [[security.email]]
    assert not Notification.objects.filter(kind=Notification.Kind.AUDIT_BROKEN).exists()
    page = client_for(security).get("/audit/").content.decode()
    assert "Intact" in page and "signed with key <span class=\"mono\">k1" in page


@pytest.mark.tampers_audit
def test_the_daily_job_alerts_the_security_team_on_a_break(trail, security, client_for):
    victim = LogEntry.objects.order_by("pk")[2]
    sql("UPDATE auditlog_logentry SET object_repr = 'nothing to see' WHERE id = %s",
        [victim.pk])

    result = verify_audit_chain()

    assert not result["ok"]
    alert = Notification.objects.get(kind=Notification.Kind.AUDIT_BROKEN)
    assert f"audit entry #{victim.pk}" in alert.body and alert.to_chat
    assert any("hash chain is broken" in m.subject for m in mail.outbox)
    page = client_for(security).get("/audit/").content.decode()
    assert "Broken" in page and f"audit entry #{victim.pk}" in page


def test_the_head_is_not_in_the_export_files(trail, signer):
    verify_audit_chain()
    head = ChainHead.objects.get().hash
    from registry.services import render_files

    files, _ = render_files()
    assert all(head not in text for text in files.values())


def test_no_head_published_yet_is_404_with_a_reason(security, client_for):
    response = client_for(security).get("/api/v1/audit/chain-head")
    assert response.status_code == 404 and "has not run" in response.json()["detail"]


def test_developers_cannot_read_the_head(developer, client_for):
    assert client_for(developer).get("/api/v1/audit/chain-head").status_code == 403


def test_expired_approvals_are_chained_in_one_batch(db):
    for n in range(5):
        ApprovalFactory(server__name=f"e{n}")
    system_user()
    before = ChainHead.objects.get().seq
    expire_due_approvals(today=dt.date.today() + dt.timedelta(days=3000))
    assert ChainHead.objects.get().seq == before + 5 == LogEntry.objects.count()
    assert Approval.objects.filter(status="expired").count() == 5
    assert "intact" in verify_audit()


@pytest.mark.tampers_audit
def test_a_recomputed_chain_shows_against_a_head_kept_elsewhere(trail):
    """A DBA rewrites an entry and recomputes every later link and the head: the chain alone
    verifies, the head from the mail does not."""
    kept = ChainHead.objects.get()
    victim = ChainLink.objects.order_by("seq")[2]
    sql("UPDATE auditlog_logentry SET object_repr = 'rewritten' WHERE id = %s",
        [victim.entry_id])
    ChainLink.objects.filter(seq__gte=victim.seq).delete()
    head = ChainHead.objects.get()
    last = ChainLink.objects.order_by("-seq").first()
    head.seq, head.hash = last.seq, last.hash
    head.save()
    rest = LogEntry.objects.exclude(pk__in=ChainLink.objects.values("entry_id"))
    chain.append(list(rest.values(*chain.FIELDS)))
    assert "intact" in verify_audit()

    with pytest.raises(CommandError, match=f"the head published for position {kept.seq} was "
                                           f"{kept.hash}"):
        call_command("verify_audit", head=[f"{kept.seq}:{kept.hash}"], stdout=io.StringIO())


def test_a_malformed_kept_head_is_refused_naming_the_form(trail):
    with pytest.raises(CommandError, match="give POSITION:HASH"):
        call_command("verify_audit", head=["12:abc"], stdout=io.StringIO())
    out = io.StringIO()
    head = ChainHead.objects.get()
    call_command("verify_audit", head=[f"{head.seq}:{head.hash}"], stdout=out)
    assert "1 kept head(s) match" in out.getvalue()
