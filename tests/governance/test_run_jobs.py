"""`manage.py run_jobs`: the jobs once, in-process, for the embedded default and cron."""

import datetime as dt
import json
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from registry.models import Approval
from registry.selectors import latest_snapshot
from tests.factories import ApprovalFactory


def test_run_jobs_expires_warns_and_exports_once(db, security):
    today = timezone.localdate()
    lapsed = ApprovalFactory(server__name="lapsed", approved_date=today - dt.timedelta(days=90),
                             expires=today - dt.timedelta(days=1))
    ApprovalFactory(server__name="soon", expires=today + dt.timedelta(days=7))

    out = StringIO()
    call_command("run_jobs", stdout=out)
    call_command("run_jobs", stdout=StringIO())

    lapsed.refresh_from_db()
    assert lapsed.status == Approval.Status.EXPIRED
    assert list(json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]) == ["soon"]
    # (and the audit chain's daily head, to the security team)
    assert sorted(m.subject.split(" ")[0] for m in mail.outbox) == ["Audit", "Expired:", "soon"]
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "expire", "warn", "overdue", "review", "campaigns", "export", "watch", "audit",
        "deliver", "digest"]


def test_run_jobs_runs_only_the_jobs_named(db, security):
    ApprovalFactory(expires=timezone.localdate() + dt.timedelta(days=7))
    out = StringIO()

    call_command("run_jobs", "overdue", stdout=out)

    assert out.getvalue().startswith("overdue: ") and mail.outbox == []
