"""Open bumps and renewals follow the server's active approval (issue 11, point 2): when it
changes they are classified again at once, re-routed with earlier sign-offs set aside, or
withdrawn by the system with a notice that says why. Seen as the requester sees it: the
request page, the timeline and their notifications."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from approvals import services as workflow
from approvals.importer import import_registry
from approvals.models import SignOff
from audit.actors import SYSTEM_USERNAME
from notifications import tasks
from registry import formats
from registry.models import Approval
from registry.services import revoke_approval
from tests.approvals.services.helpers import bump

pytestmark = pytest.mark.django_db


def approve_bump(request, *, security, director=None, tech_lead=None):
    """Take a bump through its route, as the people would."""
    if request.bump_level == "patch":
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", release_notes="https://example.com/notes")
        return
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    if request.bump_level == "major":
        workflow.transition(actor=security, request=request, status="sandbox_trial")
        workflow.transition(actor=security, request=request, status="awaiting_security",
                            notes="Trial fine.")
        workflow.sign_off(actor=director, request=request, role="engineering_director",
                          decision="approve")


def test_a_bump_is_reclassified_against_the_newly_approved_version(
        active_approval, file, developer, tech_lead, security, client_for,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        patch = bump(file, "1.2.4")
        minor = bump(file, "1.3.0")
        approve_bump(patch, security=security, tech_lead=tech_lead)
    minor.refresh_from_db()
    assert minor.base_approval.version == "1.2.4"
    assert (minor.bump_level, minor.status) == ("minor", "under_review")

    page = client_for(developer).get(minor.get_absolute_url()).content.decode()
    assert "1.2.4 → 1.3.0" in page
    assert "1.2.3 → 1.3.0" not in page
    assert "now classified against 1.2.4 (was 1.2.3): still a minor bump" in page
    (notice,) = [m for m in mail.outbox if m.subject == (
        f"Request #{minor.pk} (context7 1.3.0) was re-classified: the approved version "
        "changed")]
    assert developer.email in notice.to
    assert "What changed: now classified against 1.2.4 (was 1.2.3)" in notice.body


def test_a_bump_whose_level_changes_is_rerouted_and_its_signoffs_set_aside(
        active_approval, file, developer, tech_lead, security, director, client_for,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        major = bump(file, "2.0.0")
        later = bump(file, "2.0.1")
        workflow.sign_off(actor=security, request=later, role="security_team",
                          decision="approve", comment="Reviewed against 1.2.3.")
        approve_bump(major, security=security, director=director)
    later.refresh_from_db()
    assert (later.bump_level, later.base_approval.version) == ("patch", "2.0.0")
    assert later.expected_decision == later.requested_at + dt.timedelta(hours=48)
    assert not SignOff.objects.filter(request=later).exists()  # set aside, kept for the record
    assert SignOff.all_objects.get(request=later).stale

    page = client_for(tech_lead).get(later.get_absolute_url()).content.decode()
    assert "a patch bump now (was major), routed to tech_lead" in page
    assert "Route: patch version bump" in page
    # The tech lead now decides it alone.
    approve_bump(later, security=security, tech_lead=tech_lead)
    assert Approval.objects.active().get().version == "2.0.1"


def test_a_bump_no_newer_than_the_approved_version_is_withdrawn_by_the_system(
        active_approval, file, developer, security, director, client_for,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        patch = bump(file, "1.2.4")
        major = bump(file, "2.0.0")
        approve_bump(major, security=security, director=director)
    patch.refresh_from_db()
    assert patch.status == "withdrawn"
    event = patch.events.get(verb="withdrawn_by_system")
    assert event.actor.username == SYSTEM_USERNAME

    page = client_for(developer).get(patch.get_absolute_url()).content.decode()
    assert "Withdrawn</strong> by the system" in page
    assert "context7 2.0.0 was approved since this request was filed, and 1.2.4 is not newer" \
        in page
    (notice,) = [m for m in mail.outbox if "was withdrawn" in m.subject]
    assert notice.to == [developer.email]
    assert "Why: context7 2.0.0 was approved since this request was filed" in notice.body
    assert "Withdraw request" not in page  # final: nothing left to do on it


def test_a_revocation_withdraws_the_open_bumps_of_the_revoked_approval(
        active_approval, file, developer, security, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        patch = bump(file, "1.2.4")
        renewal = file(kind="renewal", version="1.2.3", use_case="Still needed.")
        revoke_approval(actor=security, approval=active_approval, reason="CVE-2026-0001")
    for request in (patch, renewal):
        request.refresh_from_db()
        assert request.status == "withdrawn"
        detail = request.events.get(verb="withdrawn_by_system").detail
        assert detail.startswith("context7 1.2.3 was revoked and context7 has no active "
                                 "approval now")


def test_an_expiry_withdraws_the_open_bumps_once_committed(
        active_approval, file, django_capture_on_commit_callbacks):
    patch = bump(file, "1.2.4")
    Approval.objects.filter(pk=active_approval.pk).update(
        expires=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.expire_approvals()
    patch.refresh_from_db()
    assert patch.status == "withdrawn"
    assert "was expired" in patch.events.get(verb="withdrawn_by_system").detail


def test_a_renewal_of_a_superseded_version_is_withdrawn(
        active_approval, file, tech_lead, security, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        renewal = file(kind="renewal", version="1.2.3", use_case="Still needed.")
        patch = bump(file, "1.2.4")
        approve_bump(patch, security=security, tech_lead=tech_lead)
    renewal.refresh_from_db()
    assert renewal.status == "withdrawn"
    assert "no longer the approved version to renew (renew 1.2.4 when it is due)" in (
        renewal.events.get(verb="withdrawn_by_system").detail)


def test_requests_that_follow_the_active_approval_are_left_alone(
        active_approval, file, tech_lead, security):
    minor = bump(file, "1.3.0")
    assert workflow.reroute_open_requests(server=active_approval.server) == []
    minor.refresh_from_db()
    assert (minor.bump_level, minor.base_approval_id) == ("minor", active_approval.pk)


def test_an_import_that_approves_a_newer_version_withdraws_the_older_open_bump(
        active_approval, file, security, django_capture_on_commit_callbacks):
    """The importer writes approvals in bulk (issue 10); an open bump still follows the
    active approval it makes, as after a sign-off."""
    patch = bump(file, "1.2.4")
    today = timezone.localdate()
    registry = formats.Registry(
        metadata={}, pending_review=[], denied=[], version_bump_policy={},
        incident_response={}, approved=[formats.ApprovedEntry(
            name="context7", version="2.0.0", source=active_approval.server.source,
            package_registry="npm", package="@context7/mcp-server",
            approved_by=security.email, approved_date=today - dt.timedelta(days=1),
            expires=today + dt.timedelta(days=80), data_scope="PUBLIC", risk="LOW",
            rationale="Reviewed.", config={"command": "npx",
                                           "args": ["-y", "@context7/mcp-server@2.0.0"]})])
    with django_capture_on_commit_callbacks(execute=True):
        import_registry(registry=registry)
    assert Approval.objects.get(server__name="context7", status="active").version == "2.0.0"
    patch.refresh_from_db()
    assert patch.status == "withdrawn"
    assert patch.events.filter(verb="withdrawn_by_system").exists()
