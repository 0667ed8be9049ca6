"""Filing through the workflow service (approvals/services/filing.py): exact pins, bad
input, data classification at submission, renewals and bumps against the active approval,
due dates, one open request per server and version, earlier denials."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Request
from governance.errors import Conflict, InvalidInput
from registry.models import Approval
from tests.approvals.services.helpers import approve_new_server, bump, counts
from tests.factories import stdio_config

pytestmark = pytest.mark.django_db


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


# ─── rule 3: routing of new servers and renewals ────────────────────────────────────


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


# ─── rule 6: due dates ──────────────────────────────────────────────────────────────


def test_a_new_server_is_due_one_week_after_submission(file):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = file()
    assert request.expected_decision == dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)


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


# ─── notices and the catalog ────────────────────────────────────────────────────────


def test_filing_tells_the_security_team_by_mail(file, security,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    assert any(security.email in m.to and f"#{request.pk}" in m.subject for m in mail.outbox)


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
