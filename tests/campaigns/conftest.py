import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import DirectoryGroup
from campaigns import services
from tests.factories import ApprovalFactory, UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", email="owner@company.com")


@pytest.fixture
def approvals(owner, other_developer):
    """Three active approvals: two of the owner's (LOW and HIGH risk), one of dev2's."""
    return {
        "context7": ApprovalFactory(server__name="context7", server__package="@c7/mcp",
                                    risk="LOW", data_scope="PUBLIC", owner=owner),
        "postgres": ApprovalFactory(server__name="postgres", server__package="@pg/mcp",
                                    risk="HIGH", data_scope="CONFIDENTIAL", owner=owner),
        "jira": ApprovalFactory(server__name="jira", server__package="@jira/mcp",
                                risk="LOW", data_scope="INTERNAL", owner=other_developer),
    }


@pytest.fixture
def payments(other_developer):
    team = DirectoryGroup.objects.create(display_name="Payments")
    team.members.add(other_developer)
    return team


@pytest.fixture
def start(security, approvals):
    """start(**overrides): a campaign started by the security team, due in 10 days."""

    def _start(**overrides):
        kwargs = {"name": "Q3 recertification",
                  "due": timezone.localdate() + dt.timedelta(days=10),
                  "on_no_answer": "revoke", **overrides}
        return services.start_campaign(actor=security, **kwargs)

    return _start
