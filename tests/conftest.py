import os

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.services import issue_token
from approvals import services as workflow
from approvals.api.servers import forget_pages
from registry.selectors import forget_policy
from tests.factories import ApprovalFactory, UserFactory, stdio_config

# Property tests are derandomized by default, so that a red run means a change broke
# something; HYPOTHESIS_PROFILE=explore draws new examples (keep each failure it finds as
# a fixed @example).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Real hashing costs a third of a second per user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache: each test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def _every_audit_entry_is_chained(request):
    """Whatever a test did, every audit entry it wrote has its link in the hash chain and
    the chain verifies: a write path that skips `audit.chain.append`, or hashes an entry
    otherwise than as stored, fails the test that takes it. Tests that
    tamper on purpose say so with @pytest.mark.tampers_audit."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames)
    if (marker is None and "db" not in request.fixturenames) or transactional \
            or request.node.get_closest_marker("tampers_audit"):
        yield
        return
    request.getfixturevalue("db")
    yield
    from auditlog.models import LogEntry

    from audit.models import ChainLink

    unchained = list(LogEntry.objects.exclude(pk__in=ChainLink.objects.values("entry_id"))
                     .values_list("pk", "content_type__model", "object_repr")[:5])
    assert not unchained, f"audit entries written outside the hash chain: {unchained}"
    # Each link's hash is the one verify_audit computes from the entry as stored: a write
    # path that hashes a value the database keeps otherwise fails here, not in production.
    from audit.chain import verify

    verdict = verify()
    assert verdict.ok, f"the audit chain does not verify: {verdict.problem}"


@pytest.fixture(autouse=True)
def _fresh_check_index():
    """Each test starts with no in-process check index, as a new worker does: the index is
    keyed on the registry revision, which rows written by factories do not bump, and the
    rollback between tests puts the revision back."""
    from registry import check_index

    check_index._cache.clear()
    forget_pages()  # the servers list's pages, remembered by revision like the index
    forget_policy()  # the policy the review queue reads once per revision


@pytest.fixture
def developer(db):
    return UserFactory(username="dev", email="dev@company.com")


@pytest.fixture
def other_developer(db):
    return UserFactory(username="dev2", email="dev2@company.com")


@pytest.fixture
def tech_lead(db):
    return UserFactory(username="lead", roles=["tech_lead"])


@pytest.fixture
def second_tech_lead(db):
    return UserFactory(username="lead2", roles=["tech_lead"])


@pytest.fixture
def security(db):
    return UserFactory(username="sec", roles=["security_team"])


@pytest.fixture
def second_security(db):
    return UserFactory(username="sec2", roles=["security_team"])


@pytest.fixture
def director(db):
    return UserFactory(username="director", roles=["engineering_director"])


@pytest.fixture
def platform(db):
    return UserFactory(username="platform", roles=["platform_team"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def new_server_kwargs():
    return dict(
        kind="new_server", server_name="context7", version="1.2.3",
        source="https://github.com/context7/mcp-server", package="@context7/mcp-server",
        package_registry="npm", proposed_data_scope="PUBLIC",
        use_case="Read-only documentation lookup.",
        config=stdio_config("@context7/mcp-server", "1.2.3"),
    )


@pytest.fixture
def file(developer, new_server_kwargs):
    """File a request through the workflow service: file(**overrides)."""

    def _file(actor=None, **overrides):
        return workflow.file_request(actor=actor or developer, **{**new_server_kwargs,
                                                                  **overrides})

    return _file


@pytest.fixture
def active_approval(db):
    """context7 1.2.3, approved and active."""
    return ApprovalFactory(
        server__name="context7", server__package="@context7/mcp-server", version="1.2.3",
        risk="LOW", data_scope="PUBLIC",
    )


@pytest.fixture
def approve(tech_lead, security):
    """Take a filed new_server request through review to approval, as the people would."""

    def _approve(request):
        workflow.assign(actor=security, request=request)
        workflow.set_assessment(actor=security, request=request, risk="LOW")
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                          comment="Fine for docs lookups.")
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="Reviewed: read-only, no credentials.")
        request.refresh_from_db()
        return request

    return _approve


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated with the user's token (None: anonymous)."""

    def _client(user=None):
        client = APIClient()
        if user is not None:
            _token, key = issue_token(user=user, name="tests", days=None)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client


@pytest.fixture
def client_for(db):
    """A browser-like client signed in as `user` (CSRF checks on, as in a real browser)."""

    def _client(user):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return _client
