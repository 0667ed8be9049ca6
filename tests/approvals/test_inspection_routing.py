"""What the inspection changes for reviewers (issue 14, section 2), with the fixture
servers inspected for real in bubblewrap: the final sign-off waits for the outcome; a
patch bump that adds a destructive tool is re-routed as major with earlier sign-offs set
aside; an uninspectable bump is routed at least minor; the request page shows the
capabilities, the diff against the approved version, the marks and the poisoning flags."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Inspection, SignOff
from approvals.services.inspection import queue_pending, run_request_inspection
from governance.errors import Conflict
from governance.models import CapabilityRule
from tests.factories import ApprovalFactory
from tests.servers.mcp_caps import BAD, SERVERS, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspecting(inspector):
    inspector.INSPECTION_ENABLED = True
    return inspector


@pytest.fixture
def notes_v1(db):
    """notes 1.0.0, approved and active, run as the v1 fixture server."""
    return ApprovalFactory(server__name="notes", server__package="", server__package_registry="",
                           version="1.0.0", config=local(SERVERS / "notes_v1.py"))


def file_bump(developer, version, script, django_capture_on_commit_callbacks, run=False):
    with django_capture_on_commit_callbacks(execute=run) as queued:
        request = workflow.file_request(actor=developer, kind="version_bump",
                                        server_name="notes", version=version,
                                        config=local(script))
    return request, queued


def test_the_final_signoff_waits_then_a_destructive_tool_reroutes_a_patch_as_major(
        inspecting, notes_v1, developer, tech_lead, security,
        django_capture_on_commit_callbacks):
    request, queued = file_bump(developer, "1.0.1", SERVERS / "notes_v2.py",
                                django_capture_on_commit_callbacks)
    assert request.bump_level == "patch"
    assert Inspection.objects.get(request=request).status == "pending"
    assert len(queued) >= 1   # the inspection task among the work queued after commit
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", release_notes="https://example.com/notes")
    assert "inspection" in refused.value.errors
    assert not SignOff.objects.filter(request=request).exists()

    run_request_inspection(request.pk)

    request.refresh_from_db()
    assert request.bump_level == "major"
    assert "adds the destructive tool delete_all_notes" in request.bump_reason
    assert request.bump_reason.startswith("capabilities:")
    assert "the version alone: patch" in request.bump_reason
    verbs = list(request.events.values_list("verb", flat=True))
    assert verbs[-3:] == ["inspected", "tools_excluded", "reclassified"]
    # The tools the new version adds are excluded until someone approves them.
    assert request.excluded_tools == ["delete_all_notes", "purge_cache"]
    assert request.events.get(verb="tools_excluded").detail == (
        "excluded: delete_all_notes, purge_cache")
    assert workflow.route_of(request).required_roles == ("security_team",
                                                         "engineering_director")
    # The approved version was inspected once on the way, for the diff.
    assert Inspection.objects.get(approval=notes_v1).server_version == "1.0.0"


def test_signoffs_given_before_the_inspection_raised_the_level_are_set_aside(
        inspecting, notes_v1, developer, security, director,
        django_capture_on_commit_callbacks):
    notes_v1.data_scope = "CONFIDENTIAL"   # the director signs too: one sign-off is not final
    notes_v1.save()
    CapabilityRule.objects.filter(change="destructive_tool_added").update(min_level="minor")
    CapabilityRule.objects.create(change="poisoning_sign", min_level="major")
    request, _ = file_bump(developer, "1.1.0", SERVERS / "notes_v2.py",
                           django_capture_on_commit_callbacks)
    assert request.bump_level == "minor"
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    run_request_inspection(request.pk)
    request.refresh_from_db()
    assert request.bump_level == "major"
    assert "tool-poisoning sign" in request.bump_reason
    assert SignOff.all_objects.get(request=request).stale
    assert not SignOff.objects.filter(request=request).exists()


def test_an_uninspectable_bump_is_routed_at_least_minor_with_the_error_shown(
        inspecting, notes_v1, developer, security, client_for,
        django_capture_on_commit_callbacks):
    request, _ = file_bump(developer, "1.0.2", BAD / "exits.py",
                           django_capture_on_commit_callbacks)
    run_request_inspection(request.pk)
    request.refresh_from_db()
    inspection = Inspection.objects.get(request=request)
    assert inspection.status == "not_inspectable"
    assert request.bump_level == "minor"
    assert "could not be inspected" in request.bump_reason
    page = client_for(security).get(reverse("request-detail", args=[request.pk]))
    text = page.content.decode()
    assert "Not inspectable" in text
    assert "GITHUB_TOKEN is not a valid token" in text
    assert "Raised by the capability inspection" in text


def test_the_request_page_shows_capabilities_diff_marks_and_flags(
        inspecting, notes_v1, developer, security, client_for,
        django_capture_on_commit_callbacks):
    request, _ = file_bump(developer, "1.0.1", SERVERS / "notes_v2.py",
                           django_capture_on_commit_callbacks)
    run_request_inspection(request.pk)
    page = client_for(security).get(reverse("request-detail", args=[request.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    section = text[text.index('id="capabilities"'):text.index('id="timeline-h"')]
    assert "notes 2.0.0" in section and "1.0.1" in section   # reported beside the package
    diff = section[section.index('id="capability-diff"'):section.index('id="capability-tools"')]
    assert "delete_all_notes" in diff and "purge_cache" in diff
    assert "list_notes</code>: description, schema" in diff
    assert "add_note</code>: description" in diff
    assert "claims read-only but reaches the open world (openWorldHint)" in section
    assert "tool-poisoning sign: addressed to the model" in section
    assert "asks to read secret files" in section and "asks to hide things from the user" in section
    assert "2 flagged" in section


def test_the_job_inspects_lost_tasks_and_each_active_approval_once_one_failure_not_stopping(
        inspecting, developer, django_capture_on_commit_callbacks):
    broken = ApprovalFactory(server__name="broken", server__package="",
                             server__package_registry="", version="1.0.0",
                             config=local(BAD / "exits.py"))
    good = ApprovalFactory(server__name="notes", server__package="",
                           server__package_registry="", version="1.0.0",
                           config=local(SERVERS / "notes_v1.py"))
    lost, _ = file_bump(developer, "1.0.1", SERVERS / "notes_v1.py",
                        django_capture_on_commit_callbacks)   # its task never ran
    # The bump's own task may yet run; the approvals never inspected are sent, each alone.
    assert queue_pending() == [f"approval #{broken.pk}", f"approval #{good.pk}"]
    assert Inspection.objects.get(approval=broken).status == "not_inspectable"
    assert Inspection.objects.get(approval=good).status == "done"
    Inspection.objects.filter(request=lost).update(
        created_at=timezone.now() - dt.timedelta(minutes=11))
    assert queue_pending() == [f"request #{lost.pk}"]
    assert Inspection.objects.get(request=lost).status == "done"
    assert queue_pending() == []   # once each


def test_the_job_sends_nothing_while_inspection_is_off(inspector, notes_v1):
    assert queue_pending() == []
    assert not Inspection.objects.exists()


def test_more_new_tools_than_an_approval_can_exclude_are_all_excluded_and_the_signoff_waits(
        inspecting, notes_v1, developer, tech_lead, security, director,
        django_capture_on_commit_callbacks):
    """A bump whose version adds 300 tools: each is excluded (none dropped past the 200 an
    approval can carry, which would let the last ones through unexcluded), and the final
    sign-off waits until the reviewers lift the ones they approve."""
    inspecting.INSPECTION_MAX_ITEMS = 300
    request, _ = file_bump(developer, "2.0.0", BAD / "many_tools.py",
                           django_capture_on_commit_callbacks)
    run_request_inspection(request.pk)
    request.refresh_from_db()
    assert len(request.excluded_tools) == 300
    assert "tool_99" in request.excluded_tools   # the last in sorted order, not dropped
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    roles = workflow.route_of(request).required_roles
    signers = {"security_team": security, "tech_lead": tech_lead,
               "engineering_director": director}
    for role in roles[:-1]:
        workflow.sign_off(actor=signers[role], request=request, role=role,
                          decision="approve", comment="Reviewed.",
                          release_notes="https://example.com/notes")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=signers[roles[-1]], request=request, role=roles[-1],
                          decision="approve", comment="Reviewed.",
                          release_notes="https://example.com/notes")
    assert "more than the 200 an approval can carry" in refused.value.errors[
        "excluded_tools"][0]


def test_a_patch_whose_tool_list_was_cut_is_routed_at_least_minor(
        inspecting, developer, django_capture_on_commit_callbacks):
    """Both versions list more tools than the inspection records: the ones past the cut
    are unknown, so the patch is not routed as one that changes nothing."""
    inspecting.INSPECTION_MAX_ITEMS = 300
    ApprovalFactory(server__name="notes", server__package="", server__package_registry="",
                    version="1.0.0", config=local(BAD / "many_tools.py"))
    request, _ = file_bump(developer, "1.0.1", BAD / "many_tools.py",
                           django_capture_on_commit_callbacks)
    assert request.bump_level == "patch"
    run_request_inspection(request.pk)
    request.refresh_from_db()
    assert request.bump_level == "minor"
    assert "lists more tools than the inspection records" in request.bump_reason
