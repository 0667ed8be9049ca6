"""The campaign's report for auditors (issue 15): who answered what, when, as CSV and as a
printable page; for the security team and administrators only."""

import csv
import datetime as dt
import io

import time_machine

from campaigns import services

ANSWERED_AT = dt.datetime(2026, 5, 4, 10, 30, tzinfo=dt.UTC)


def _campaign_with_answers(start, owner):
    with time_machine.travel(ANSWERED_AT - dt.timedelta(days=1), tick=False):
        campaign = start(name="Q2 recertification")
    items = {i.approval.server.name: i for i in campaign.items.all()}
    with time_machine.travel(ANSWERED_AT, tick=False):
        services.answer_item(actor=owner, item=items["context7"], answer="keep", note="")
        services.answer_item(actor=owner, item=items["postgres"], answer="retire",
                             note="=HYPERLINK(\"x\") no longer used")
    return campaign


def test_csv_report_says_who_answered_what_and_when(client_for, start, owner, security):
    campaign = _campaign_with_answers(start, owner)

    with time_machine.travel(ANSWERED_AT + dt.timedelta(days=30), tick=False):
        response = client_for(security).get(f"/campaigns/{campaign.pk}/report.csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="campaign-{campaign.pk}-report.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_server = {row["server"]: row for row in rows}
    assert set(by_server) == {"context7", "postgres", "jira"}
    assert by_server["context7"] | {} == {**by_server["context7"], "answer": "keep",
                                          "answered_by": "owner", "state": "answered",
                                          "answered_at": "2026-05-04T10:30:00Z"}
    # A note a spreadsheet would run as a formula is kept as text.
    assert by_server["postgres"]["note"] == "'=HYPERLINK(\"x\") no longer used"
    assert by_server["postgres"]["answer"] == "retire"
    assert by_server["jira"]["answer"] == "" and by_server["jira"]["owner"] == "dev2"
    assert by_server["jira"]["state"] == "overdue"  # due 2026-05-13, read in June


def test_printable_report_lists_the_answers_and_the_campaign(client_for, start, owner,
                                                             security):
    campaign = _campaign_with_answers(start, owner)

    with time_machine.travel(ANSWERED_AT, tick=False):
        html = client_for(security).get(
            f"/campaigns/{campaign.pk}/report.html").content.decode()

    assert "Recertification campaign report: Q2 recertification" in html
    assert "every active approval" in html and "Revoke the approval" in html
    assert "2 answered, 1 open, 0 overdue of 3" in html
    assert "<td>postgres</td>" in html and "<td>retire</td>" in html
    assert "2026-05-04T10:30:00Z" in html and "@media print" in html
    assert "=HYPERLINK(&quot;x&quot;)" in html  # escaped, never markup


def test_reports_are_for_the_security_team_and_administrators(
        client_for, start, owner, admin_user, platform):
    campaign = _campaign_with_answers(start, owner)
    for path in ("report.csv", "report.html"):
        assert client_for(owner).get(f"/campaigns/{campaign.pk}/{path}").status_code == 403
        assert client_for(platform).get(f"/campaigns/{campaign.pk}/{path}").status_code == 403
        assert client_for(admin_user).get(
            f"/campaigns/{campaign.pk}/{path}").status_code == 200
