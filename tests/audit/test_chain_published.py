"""The heads the daily check published stay evidence: a database administrator who rewrites
an entry and recomputes every later link and the head is caught by `verify_audit` and the
next daily check (no head passed by hand), because a published head is no longer in the
chain at its position; altering that published head too breaks its signature."""

import base64
import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.management.base import CommandError

from audit import chain
from audit.models import ChainCheckpoint, ChainHead, ChainLink
from audit.publish import check_and_publish
from notifications.models import Notification
from notifications.tasks import verify_audit_chain
from tests.audit import test_chain as base

trail, signer = base.trail, base.signer  # the fixtures, shared
sql, verify_audit = base.sql, base.verify_audit

pytestmark = [pytest.mark.django_db, pytest.mark.tampers_audit]


def rewrite_from_the_third_link():
    """What the administrator does: change an entry, recompute every link from it on and
    the head, so that the chain alone verifies."""
    victim = ChainLink.objects.order_by("seq")[2]
    sql("UPDATE auditlog_logentry SET object_repr = 'rewritten' WHERE id = %s",
        [victim.entry_id])
    ChainLink.objects.filter(seq__gte=victim.seq).delete()
    last = ChainLink.objects.order_by("-seq").first()
    ChainHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)
    rest = LogEntry.objects.exclude(pk__in=ChainLink.objects.values("entry_id"))
    chain.append(list(rest.values(*chain.FIELDS)))


def publish_yesterday():
    checkpoint, verdict = check_and_publish(dt.date.today() - dt.timedelta(days=1))
    assert verdict.ok
    return checkpoint


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "signing off"])
def test_a_recomputed_chain_shows_against_the_heads_published_before(trail, request, signed):
    if signed:
        request.getfixturevalue("signer")
    published = publish_yesterday()
    rewrite_from_the_third_link()

    with pytest.raises(CommandError, match=rf"the chain was rewritten: the head published on "
                                           rf"{published.date} has {published.hash} at "
                                           rf"position {published.seq}"):
        verify_audit()
    result = verify_audit_chain()
    assert not result["ok"]
    assert "the chain was rewritten" in Notification.objects.get(
        kind=Notification.Kind.AUDIT_BROKEN).body


def test_a_published_head_altered_to_match_the_rewrite_fails_its_signature(trail, signer):
    published = publish_yesterday()
    rewrite_from_the_third_link()
    now = ChainLink.objects.get(seq=published.seq).hash
    ChainCheckpoint.objects.filter(pk=published.pk).update(
        hash=now, message=published.message.replace(published.hash, now))

    with pytest.raises(CommandError, match=rf"the head published on {published.date} was "
                                           r"altered: its signature \(key k1\) does not"):
        verify_audit()


def test_an_untouched_chain_verifies_against_every_head_published(trail, signer):
    publish_yesterday()
    assert "intact" in verify_audit()
    assert verify_audit_chain()["ok"]
    assert base64.b64decode(ChainCheckpoint.objects.order_by("-date").first().signature)
