"""Every rule of SPEC §4, through the workflow service."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Request, RequestEvent, SignOff
from governance.errors import Conflict, InvalidInput, NotAllowed
from governance.policy import validity
from registry.models import Approval, ExportSnapshot
from tests.factories import stdio_config

pytestmark = pytest.mark.django_db


def counts():
    return (Request.objects.count(), SignOff.objects.count(), Approval.objects.count(),
            RequestEvent.objects.count())


def approve_new_server(request, tech_lead, security, risk="LOW"):
    workflow.set_assessment(actor=security, request=request, risk=risk)
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed the code and the scopes.")
    request.refresh_from_db()
    return request


# ─── rule 1: exact pins ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize("version", ["latest", "", "^1.2.3", "~1.2", ">=1.0", "1.x", "*", "main"])
def test_filing_with_a_version_that_is_not_an_exact_pin_is_refused(file, version):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        file(version=version, config={"command": "npx", "args": ["-y", "@context7/mcp-server"]})
    assert "version" in refused.value.errors
    assert counts() == before


def test_args_pinning_another_version_than_the_request_are_refused(file):
    with pytest.raises(InvalidInput) as refused:
        file(version="1.2.3", config=stdio_config("@context7/mcp-server", "1.2.4"))
    assert "1.2.4" in refused.value.errors["config.args"][0]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("server_name", {"server_name": "My Server"}),
        ("server_name", {"server_name": "Context7"}),
        ("source", {"source": "http://github.com/context7/mcp-server"}),
        ("source", {"source": "github.com/context7"}),
        ("proposed_data_scope", {"proposed_data_scope": "SECRET"}),
        ("config.env.GITHUB_TOKEN", {"config": {"command": "npx", "args": [], "env": {
            "GITHUB_TOKEN": "ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8"}}}),
        ("config.env.AWS_ACCESS_KEY_ID", {"config": {"command": "npx", "args": [], "env": {
            "AWS_ACCESS_KEY_ID": "AKIA" + "QWERTYUIOPASDFGH"}}}),
        ("config.env.SIGNING_KEY", {"config": {"command": "npx", "args": [], "env": {
            "SIGNING_KEY": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"}}}),
        ("config.env.OPAQUE", {"config": {"command": "npx", "args": [], "env": {
            "OPAQUE": "Zx8Kq2Lm9Vt4Wp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9P"}}}),
        ("kind", {"kind": "upgrade"}),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(file, field, overrides):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        file(**overrides)
    assert field in refused.value.errors, refused.value.errors
    assert all(refused.value.errors[field])
    assert counts() == before


def test_a_secret_in_a_header_of_a_remote_server_is_refused(file):
    with pytest.raises(InvalidInput) as refused:
        file(version="1.0.0", config={"type": "http", "url": "https://mcp.example.com/mcp",
                                      "headers": {"Authorization": "Bearer sk-" + "x1" * 20}})
    assert "placeholder" in refused.value.errors["config.headers.Authorization"][0]


def test_a_placeholder_for_a_secret_is_accepted(file):
    request = file(config={"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
                           "env": {"API_TOKEN": "${CONTEXT7_TOKEN}"}})
    assert request.status == "under_review"


# ─── rule 2: data classification ────────────────────────────────────────────────────


def test_restricted_scope_is_denied_at_submission_and_still_recorded(file):
    request = file(proposed_data_scope="RESTRICTED")
    assert request.status == "denied"
    assert "RESTRICTED" in request.denial_reason
    assert request.events.filter(verb="auto_denied").exists()
    assert not Approval.objects.exists()


def test_confidential_scope_needs_the_engineering_director_too(file, tech_lead, security,
                                                               director):
    request = file(proposed_data_scope="CONFIDENTIAL")
    request = approve_new_server(request, tech_lead, security)
    assert request.status == "under_review"  # still waiting for the director
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"


def test_security_setting_the_final_scope_to_restricted_denies(file, security):
    request = file()
    workflow.set_assessment(actor=security, request=request, data_scope="RESTRICTED")
    request.refresh_from_db()
    assert request.status == "denied"


# ─── rule 3: routing of new servers and renewals ────────────────────────────────────


def test_risk_must_be_set_before_the_final_sign_off(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="fine")
    assert "risk" in refused.value.errors
    assert SignOff.objects.count() == 1


def test_high_risk_adds_the_director_to_a_new_server(file, tech_lead, security, director):
    request = approve_new_server(file(), tech_lead, security, risk="HIGH")
    assert request.status == "under_review"
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.resulting_approval.expires == validity.add_months(timezone.localdate(), 1)


def test_renewal_recertifies_the_same_version_and_supersedes(active_approval, file, tech_lead,
                                                             security):
    request = file(kind="renewal", version="", config=None, use_case="Still needed.")
    assert request.version == "1.2.3" and request.base_approval == active_approval
    request = approve_new_server(request, tech_lead, security)
    active_approval.refresh_from_db()
    assert active_approval.status == "superseded"
    assert Approval.objects.active().get(server__name="context7").version == "1.2.3"


def test_a_renewal_cannot_change_the_version(active_approval, file):
    with pytest.raises(InvalidInput) as refused:
        file(kind="renewal", version="1.2.4",
             config=stdio_config("@context7/mcp-server", "1.2.4"))
    assert "version_bump" in refused.value.errors["version"][0]


def test_a_new_server_request_for_an_approved_server_is_refused(active_approval, file):
    with pytest.raises(InvalidInput) as refused:
        file()
    assert "already approved" in refused.value.errors["server_name"][0]


# ─── rule 4: version bumps ──────────────────────────────────────────────────────────


def bump(file, version):
    return file(kind="version_bump", version=version,
                config=stdio_config("@context7/mcp-server", version), use_case="Bump.")


@pytest.mark.parametrize(
    ("version", "level", "hours"), [("1.2.4", "patch", 48), ("1.3.0", "minor", 168),
                                   ("2.0.0", "major", 336), ("1.2.2", "major", 336),
                                   ("1.3.0-rc.1", "major", 336)],
)
def test_a_bump_is_classified_against_the_active_approval_and_gets_its_due_date(
        active_approval, file, version, level, hours):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = bump(file, version)
        assert request.bump_level == level
        assert request.expected_decision == timezone.now() + dt.timedelta(hours=hours)


def test_a_bump_of_a_server_without_approval_is_refused(file):
    with pytest.raises(InvalidInput) as refused:
        bump(file, "1.2.4")
    assert "new_server" in refused.value.errors["server_name"][0]


def test_a_patch_is_never_approved_automatically_and_needs_release_notes(active_approval, file,
                                                                        tech_lead):
    request = bump(file, "1.2.4")
    assert request.status == "under_review" and not Approval.objects.filter(
        version="1.2.4").exists()
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert "release_notes" in refused.value.errors
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      release_notes="https://github.com/context7/mcp-server/releases/1.2.4")
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_patch_route_does_not_take_a_security_sign_off(active_approval, file, security):
    request = bump(file, "1.2.4")
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="ok")
    assert "not on this request's route" in refused.value.errors["role"][0]


def test_a_minor_bump_needs_a_written_security_review(active_approval, file, security):
    request = bump(file, "1.3.0")
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve")
    assert "comment" in refused.value.errors
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Diff reviewed; no new network access.")
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_major_bump_must_pass_a_sandbox_trial_with_notes(active_approval, file, security,
                                                           director):
    request = bump(file, "2.0.0")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=director, request=request, role="engineering_director",
                          decision="approve")
    assert "sandbox_trial" in refused.value.errors["status"][0]
    workflow.transition(actor=security, request=request, status="sandbox_trial")
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(actor=security, request=request, status="awaiting_security")
    assert "notes" in refused.value.errors
    workflow.transition(actor=security, request=request, status="awaiting_security",
                        notes="Ran it for a week against staging; no surprises.")
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert Approval.objects.active().get(server__name="context7").version == "2.0.0"


# ─── rule 5: decisions ──────────────────────────────────────────────────────────────


def test_approval_creates_the_approval_supersedes_the_old_and_builds_one_export(
        active_approval, file, tech_lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = bump(file, "1.2.4")
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", release_notes="notes link")
    new = Approval.objects.get(version="1.2.4")
    active_approval.refresh_from_db()
    assert (new.status, active_approval.status) == ("active", "superseded")
    assert active_approval.superseded_by == new
    assert new.approved_by == tech_lead.email and list(new.approvers.all()) == [tech_lead]
    assert ExportSnapshot.objects.count() == 1
    assert "@context7/mcp-server@1.2.4" in ExportSnapshot.objects.get().managed_mcp_json


def test_the_first_deny_from_a_required_role_decides(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Duplicates an approved server.", alternative="Use sequential-x.")
    request.refresh_from_db()
    assert request.status == "denied"
    assert request.denial_alternative == "Use sequential-x."
    with pytest.raises(Conflict):
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="late")


def test_a_deny_needs_a_reason(file, tech_lead):
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=tech_lead, request=file(), role="tech_lead", decision="deny")
    assert "reason" in refused.value.errors


def test_the_requester_cannot_sign_off_their_own_request(file, tech_lead):
    request = file(actor=tech_lead)
    with pytest.raises(NotAllowed):
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert not SignOff.objects.exists()


def test_someone_without_the_role_cannot_sign_off(file, other_developer, platform):
    request = file()
    for actor in (other_developer, platform):
        with pytest.raises(NotAllowed):
            workflow.sign_off(actor=actor, request=request, role="tech_lead",
                              decision="approve")
    assert not SignOff.objects.exists()


def test_one_person_signs_off_once_even_with_two_roles(file, db):
    from tests.factories import UserFactory

    both = UserFactory(username="both", roles=["tech_lead", "security_team"])
    request = file()
    workflow.set_assessment(actor=both, request=request, risk="LOW")
    workflow.sign_off(actor=both, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=both, request=request, role="security_team",
                          decision="approve", comment="me again")
    assert SignOff.objects.count() == 1


def test_a_role_already_covered_cannot_be_signed_again(file, tech_lead, second_tech_lead):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=second_tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert "security_team" in refused.value.errors["role"][0]


def test_no_sign_off_while_the_request_is_with_the_requester(file, security, tech_lead):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")


# ─── rule 6: due dates ──────────────────────────────────────────────────────────────


def test_a_new_server_is_due_one_week_after_submission(file):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = file()
    assert request.expected_decision == dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)


# ─── rule 7: validity ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("risk", "expires"), [("LOW", dt.date(2027, 5, 2)),
                                               ("MEDIUM", dt.date(2027, 2, 2)),
                                               ("HIGH", dt.date(2026, 12, 2))])
def test_expiry_follows_the_risk(file, tech_lead, security, director, risk, expires):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = approve_new_server(file(), tech_lead, security, risk=risk)
        if risk == "HIGH":
            workflow.sign_off(actor=director, request=request, role="engineering_director",
                              decision="approve")
    assert Approval.objects.get().expires == expires


def test_an_approver_may_shorten_the_validity_but_not_lengthen_it(file, tech_lead, security):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = file()
        workflow.set_assessment(actor=security, request=request, risk="LOW")
        with pytest.raises(InvalidInput) as refused:
            workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                              decision="approve", expires=dt.date(2027, 12, 1))
        assert "6 months" in refused.value.errors["expires"][0]
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", expires=dt.date(2027, 1, 31))
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="ok")
    assert Approval.objects.get().expires == dt.date(2027, 1, 31)


# ─── rule 9: one open request per server and version; earlier denials ───────────────


def test_a_second_open_request_for_the_same_server_and_version_links_to_the_first(
        file, other_developer):
    first = file()
    with pytest.raises(Conflict) as refused:
        file(actor=other_developer)
    # The first request is named in the message and carried as data (its id and its page),
    # not as a path inside the sentence (issue 9).
    assert f"#{first.pk}" in refused.value.errors["version"][0]
    assert refused.value.conflict == {"request_id": first.pk}
    assert refused.value.link == f"/requests/{first.pk}/"
    assert Request.objects.count() == 1


def test_the_same_server_and_version_may_be_filed_again_after_a_decision(file, tech_lead):
    first = file()
    workflow.sign_off(actor=tech_lead, request=first, role="tech_lead", decision="deny",
                      reason="Not now.")
    second = file(what_changed="Asked again with a narrower scope.")
    assert second.pk != first.pk


def test_filing_again_after_a_denial_shows_the_reason_and_asks_what_changed(file, tech_lead):
    first = file()
    workflow.sign_off(actor=tech_lead, request=first, role="tech_lead", decision="deny",
                      reason="Unrestricted egress.", alternative="Use the proxy build.")
    with pytest.raises(InvalidInput) as refused:
        file(version="1.2.4", config=stdio_config("@context7/mcp-server", "1.2.4"))
    message = refused.value.errors["what_changed"][0]
    assert "Unrestricted egress." in message and "Use the proxy build." in message
    assert file(version="1.2.4", config=stdio_config("@context7/mcp-server", "1.2.4"),
                what_changed="Egress now goes through the proxy.")


# ─── the review states (SPEC §5) ────────────────────────────────────────────────────


def test_a_decided_request_cannot_move(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="No.")
    for status in ("under_review", "sandbox_trial", "withdrawn"):
        with pytest.raises(Conflict):
            workflow.transition(actor=security, request=request, status=status)


def test_approved_and_denied_come_only_from_sign_offs(file, security):
    with pytest.raises(Conflict):
        workflow.transition(actor=security, request=file(), status="approved")


def test_only_the_security_team_moves_a_request(file, tech_lead, developer):
    request = file()
    for actor in (tech_lead, developer):
        with pytest.raises(NotAllowed):
            workflow.transition(actor=actor, request=request, status="sandbox_trial")


def test_needs_info_goes_back_to_the_requester_who_edits_and_resubmits(file, security,
                                                                       developer):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info",
                        notes="Which repositories does it need?")
    with pytest.raises(InvalidInput):
        workflow.resubmit(actor=developer, request=request, version="latest")
    request = workflow.resubmit(actor=developer, request=request,
                                use_case="Docs lookup for the payments repos only.")
    assert request.status == "under_review"
    assert request.use_case.startswith("Docs lookup")
    assert list(request.events.values_list("verb", flat=True)) == [
        "filed", "status_changed", "resubmitted"]


def test_only_the_requester_withdraws_and_only_before_a_decision(file, developer,
                                                                  other_developer):
    request = file()
    with pytest.raises(NotAllowed):
        workflow.withdraw(actor=other_developer, request=request)
    request = workflow.withdraw(actor=developer, request=request)
    assert request.status == "withdrawn"
    with pytest.raises(Conflict):
        workflow.withdraw(actor=developer, request=request)


def test_claiming_assigns_the_reviewer_and_only_to_security(file, security, tech_lead):
    request = workflow.assign(actor=security, request=file())
    assert request.reviewer == security
    with pytest.raises(InvalidInput):
        workflow.assign(actor=security, request=request, reviewer=tech_lead)


def test_comments_from_the_requester_and_reviewers_only(file, developer, tech_lead,
                                                        other_developer):
    request = file()
    workflow.add_comment(actor=developer, request=request, body="Any news?")
    workflow.add_comment(actor=tech_lead, request=request, body="Looking today.")
    with pytest.raises(NotAllowed):
        workflow.add_comment(actor=other_developer, request=request, body="+1")
    with pytest.raises(InvalidInput):
        workflow.add_comment(actor=developer, request=request, body="   ")
    assert request.comments.count() == 2


def test_filing_tells_the_security_team_by_mail(file, security,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    assert any(security.email in m.to and f"#{request.pk}" in m.subject for m in mail.outbox)


# ─── decisions stay true to the state they decide on ────────────────────────────────


def test_a_bump_classified_against_a_superseded_approval_cannot_be_approved(
        active_approval, file, tech_lead, security, director):
    patch = bump(file, "1.2.4")
    major = bump(file, "2.0.0")
    workflow.sign_off(actor=security, request=major, role="security_team",
                      decision="approve", comment="Reviewed.")
    workflow.transition(actor=security, request=major, status="sandbox_trial")
    workflow.transition(actor=security, request=major, status="awaiting_security",
                        notes="Trial fine.")
    workflow.sign_off(actor=director, request=major, role="engineering_director",
                      decision="approve")
    with pytest.raises(Conflict) as refused:  # 1.2.4 would now be a downgrade from 2.0.0
        workflow.sign_off(actor=tech_lead, request=patch, role="tech_lead",
                          decision="approve", release_notes="notes")
    assert "2.0.0" in refused.value.errors["version"][0]
    assert Approval.objects.active().get().version == "2.0.0"


def test_a_bump_of_a_revoked_approval_cannot_bring_it_back(active_approval, file, tech_lead,
                                                           security):
    from registry.services import revoke_approval

    patch = bump(file, "1.2.4")
    # Revoking is the security team's (issue 8), no longer any administrator's.
    revoke_approval(actor=security, approval=active_approval, reason="CVE-2026-0001")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=tech_lead, request=patch, role="tech_lead",
                          decision="approve", release_notes="notes")
    assert not Approval.objects.active().exists()


def test_a_second_new_server_request_cannot_replace_the_approved_version(
        file, tech_lead, second_tech_lead, security, second_security):
    first = file(version="2.0.0", config=stdio_config("@context7/mcp-server", "2.0.0"))
    older = file(version="1.0.0", config=stdio_config("@context7/mcp-server", "1.0.0"))
    approve_new_server(first, tech_lead, security)
    workflow.set_assessment(actor=second_security, request=older, risk="LOW")
    workflow.sign_off(actor=second_tech_lead, request=older, role="tech_lead",
                      decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=second_security, request=older, role="security_team",
                          decision="approve", comment="ok")
    assert "version_bump" in refused.value.errors["server_name"][0]
    assert Approval.objects.active().get().version == "2.0.0"


def test_a_bump_keeps_the_scope_it_was_approved_for_unless_security_lowers_it(
        file, tech_lead):
    from tests.factories import ApprovalFactory

    ApprovalFactory(server__name="context7", server__package="@context7/mcp-server",
                    version="1.2.3", data_scope="CONFIDENTIAL")
    request = file(kind="version_bump", version="1.2.4", proposed_data_scope="PUBLIC",
                   config=stdio_config("@context7/mcp-server", "1.2.4"))
    assert request.effective_data_scope == "CONFIDENTIAL"
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      release_notes="notes")
    request.refresh_from_db()
    assert request.status == "under_review"  # the director is still on the route


def test_restricted_scope_given_on_resubmit_is_denied_at_once(file, security, developer):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info")
    request = workflow.resubmit(actor=developer, request=request,
                                proposed_data_scope="RESTRICTED")
    assert request.status == "denied" and "RESTRICTED" in request.denial_reason


def test_when_the_route_shrinks_the_approvals_already_given_decide(file, tech_lead, security,
                                                                    director):
    request = file(proposed_data_scope="CONFIDENTIAL")
    request = approve_new_server(request, tech_lead, security)
    assert request.status == "under_review"  # waiting for the director
    workflow.set_assessment(actor=security, request=request, data_scope="INTERNAL")
    request.refresh_from_db()
    assert request.status == "approved"
    assert Approval.objects.get().data_scope == "INTERNAL"


def test_filing_does_not_rewrite_the_catalog_entry_of_a_denied_server(file, tech_lead,
                                                                       developer):
    first = file()
    workflow.sign_off(actor=tech_lead, request=first, role="tech_lead", decision="deny",
                      reason="No.")
    again = file(package="@evil/thing", source="https://github.com/evil/thing",
                 config=stdio_config("@evil/thing", "1.2.3"), what_changed="Other package.")
    workflow.withdraw(actor=developer, request=again)
    first.server.refresh_from_db()
    assert first.server.package == "@context7/mcp-server"


def test_a_developer_asking_for_approved_gets_refused_for_the_role_first(file, developer):
    with pytest.raises(NotAllowed):
        workflow.transition(actor=developer, request=file(), status="approved")


def test_approvals_given_before_the_requester_changed_the_request_no_longer_count(
        file, tech_lead, security, developer):
    request = file()
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.transition(actor=security, request=request, status="needs_info")
    workflow.resubmit(actor=developer, request=request, config={
        "command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3", "--allow-writes"]})
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed the new config.")
    request.refresh_from_db()
    assert request.status == "under_review"  # the tech lead never saw the new config
    assert request.events.filter(verb="signoffs_set_aside").exists()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert SignOff.all_objects.filter(request=request, stale=True).count() == 1


def test_editing_only_the_words_keeps_the_sign_offs(file, tech_lead, security, developer):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.transition(actor=security, request=request, status="needs_info")
    workflow.resubmit(actor=developer, request=request, use_case="Clearer use case.")
    assert request.signoffs.count() == 1
