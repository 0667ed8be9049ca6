"""Import of the registry (SPEC §6): the round trip through an export, the all-or-nothing
import and its located messages, and the importer going through the workflow. The export
files are tested in test_exports.py."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from approvals.models import Request
from governance.models import Organisation
from registry.models import Approval, Server
from tests.registry.registry_files import TEMPLATE, export, import_text

pytestmark = pytest.mark.django_db


def test_the_repository_copy_of_the_template_is_the_seed():
    seed = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "mcp-registry-template.yaml"
    if seed.exists():  # beside the checkout, as on every developer's machine and CI's
        assert seed.read_text() == TEMPLATE.read_text()


def test_importing_the_template_and_exporting_it_again_gives_the_same_document():
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    assert yaml.safe_load(export("mcp-registry.yaml")) == yaml.safe_load(TEMPLATE.read_text())


def test_importing_twice_changes_nothing_the_second_time(tmp_path):
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    before = (Server.objects.count(), Approval.objects.count(), Request.objects.count())
    out = import_text(tmp_path, TEMPLATE.read_text())
    assert "approvals created: 0" in out and "pending created: 0" in out
    assert (Server.objects.count(), Approval.objects.count(), Request.objects.count()) == before


def test_a_dry_run_reports_and_changes_nothing(tmp_path):
    out = import_text(tmp_path, TEMPLATE.read_text(), "--dry-run")
    assert "approvals created: 3" in out and "Dry run" in out
    assert not Server.objects.exists() and not Approval.objects.exists()


def test_the_imported_template_is_recorded_as_the_template_says():
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    db = Approval.objects.get(server__name="internal-db-readonly")
    assert (db.risk, db.data_scope, db.expires) == ("MEDIUM", "CONFIDENTIAL", dt.date(2026, 5, 1))
    assert db.restrictions[2] == "Only connect to readonly replica, never primary"
    pending = Request.objects.get(server__name="github-mcp")
    assert (pending.status, pending.reviewer.email) == ("under_review", "jane.smith@company.com")
    denied = Request.objects.get(server__name="browser-automation-mcp")
    assert denied.status == "denied" and denied.denial_alternative.startswith("Use Playwright")
    assert Organisation.load().owner == "platform-team@company.com"


BAD_DOCUMENTS = {
    "does not parse": ("approved: [\n  - name: x\n", ["line", "not valid YAML"]),
    "wrong types": (
        "metadata: [1, 2]\napproved: {name: x}\n",
        ["metadata: must be a mapping", "approved: must be a list"],
    ),
    "bad dates": (
        TEMPLATE.read_text().replace('approved_date: "2026-01-15"', 'approved_date: "15/01/2026"',
                                     1),
        ["approved[0] (context7).approved_date: '15/01/2026' is not a date"],
    ),
    "duplicate names": (
        TEMPLATE.read_text().replace("name: sequential-thinking", "name: context7"),
        ["approved[1] (context7).name: duplicate of approved[0]"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_a_bad_file_imports_nothing_and_says_where_each_problem_is(tmp_path, case):
    Organisation.objects.filter(pk=1).update(organization="Acme")
    text, expected = BAD_DOCUMENTS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    for words in expected:
        assert words in err.getvalue(), err.getvalue()
    assert not Server.objects.exists() and Organisation.load().organization == "Acme"


ENTRY_PROBLEMS = [
    ('version: "1.2.3"', 'version: "latest"', "approved[0] (context7).version"),
    ('version: "1.2.3"', 'version: "^1.2.3"', "approved[0] (context7).version"),
    ('"@context7/mcp-server@1.2.3"]', '"@context7/mcp-server@1.2.9"]',
     "approved[0] (context7).config.args"),
    ("name: context7", "name: Context 7", "approved[0] (Context 7).name"),
    ('source: "https://github.com/context7/mcp-server"', 'source: "ftp://example.com"',
     "approved[0] (context7).source"),
    ('DB_USER: "claude_readonly"', 'DB_USER: "ghp_' + "aB3" * 12 + '"',
     "approved[2] (internal-db-readonly).config.env.DB_USER"),
    ("data_scope: PUBLIC ", "data_scope: SECRET ", "approved[0] (context7).data_scope"),
    ("risk: LOW                         #", "risk: EXTREME #", "approved[0] (context7).risk"),
    ("approver: tech_lead", "approver: intern", "version_bump_policy.patch.approver"),
]


@pytest.mark.parametrize(("old", "new", "where"), ENTRY_PROBLEMS)
def test_each_bad_entry_is_named_with_its_field(tmp_path, old, new, where):
    text = TEMPLATE.read_text()
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    assert where in err.getvalue(), err.getvalue()
    assert not Approval.objects.exists()


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    text = TEMPLATE.read_text().replace('version: "1.2.3"', 'version: "latest"').replace(
        'version: "0.6.2"', 'version: "*"')
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    assert "approved[0]" in err.getvalue() and "approved[1]" in err.getvalue()


def test_an_unreadable_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_registry", "/nonexistent/registry.yaml", stdout=StringIO())


def test_a_restricted_pending_entry_is_denied_once_however_often_it_is_imported(tmp_path):
    text = TEMPLATE.read_text().replace("proposed_data_scope: INTERNAL",
                                        "proposed_data_scope: RESTRICTED")
    import_text(tmp_path, text)
    import_text(tmp_path, text)
    github = Request.objects.filter(server__name="github-mcp")
    assert github.count() == 1 and github.get().status == "denied"


# ─── the importer goes through the workflow (SPEC §4 rule 13) ───────────────────────


def test_an_imported_restricted_request_is_denied_with_the_workflows_event_and_notice(
        tmp_path, django_capture_on_commit_callbacks):
    from django.core import mail

    from notifications.models import Notification

    text = TEMPLATE.read_text().replace("proposed_data_scope: INTERNAL",
                                        "proposed_data_scope: RESTRICTED")
    with django_capture_on_commit_callbacks(execute=True):
        import_text(tmp_path, text)
    request = Request.objects.get(server__name="github-mcp")
    assert request.status == "denied"
    assert "RESTRICTED" in request.denial_reason
    assert [e.verb for e in request.events.all()] == ["imported", "auto_denied"]
    notice = Notification.objects.get(request=request)
    assert notice.subject.startswith("Denied: github-mcp")
    assert any("dev@company.com" in m.to for m in mail.outbox if m.subject == notice.subject)
    # imported again: the denial stands and nothing is denied twice
    import_text(tmp_path, text)
    assert Request.objects.filter(server__name="github-mcp").count() == 1


def test_an_import_moves_a_pending_request_through_the_state_machine(tmp_path):
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    text = TEMPLATE.read_text().replace("status: under_review ", "status: awaiting_security ")
    out = import_text(tmp_path, text)
    assert "pending updated: 1" in out
    request = Request.objects.get(server__name="github-mcp")
    assert request.status == "awaiting_security"
    moved = request.events.latest("id")
    assert (moved.verb, moved.from_status, moved.to_status) == (
        "imported", "under_review", "awaiting_security")


def test_an_import_that_would_make_a_move_the_workflow_forbids_imports_nothing(tmp_path):
    from approvals import services as workflow
    from tests.factories import UserFactory

    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    request = Request.objects.get(server__name="github-mcp")
    security = UserFactory(username="sec", roles=["security_team"])
    workflow.transition(actor=security, request=request, status="needs_info")
    text = TEMPLATE.read_text().replace("status: under_review ", "status: sandbox_trial ")
    text = text.replace('organization: "[Your Organization Name]"', 'organization: "Acme"')
    path = tmp_path / "moved.yaml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="cannot move to sandbox_trial") as refused:
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    assert "github-mcp" in str(refused.value) and "is needs_info" in str(refused.value)
    assert "from needs_info a request can move to: under_review" in err.getvalue()
    assert Request.objects.get(pk=request.pk).status == "needs_info"
    assert Organisation.load().organization == "[Your Organization Name]"


def test_an_imported_newer_version_supersedes_the_active_one_as_an_approval_does(tmp_path):
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    old = Approval.objects.get(server__name="context7", status="active")
    text = TEMPLATE.read_text().replace('version: "1.2.3"', 'version: "1.2.4"', 1).replace(
        "@context7/mcp-server@1.2.3", "@context7/mcp-server@1.2.4")
    import_text(tmp_path, text)
    old.refresh_from_db()
    new = Approval.objects.get(server__name="context7", status="active")
    assert (new.version, old.status, old.superseded_by) == ("1.2.4", "superseded", new)
    assert old.status_changed_at is not None
