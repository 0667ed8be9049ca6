"""Every link of the pages is built from a route's name ({% url %}, reverse(),
get_absolute_url), never written as a path (issue 9): the templates hold no path of the
portal, and with the routes mounted elsewhere every link on every page follows them."""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Request
from notifications import request_events
from registry import services as registry_services
from registry.models import ExportSnapshot, Server
from tests.approvals.test_filing import form_data
from tests.factories import UserFactory, stdio_config
from tests.urls_elsewhere import PREFIX

TEMPLATES = Path(settings.BASE_DIR) / "templates"
TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
LINK_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*(["'])(.*?)\1""", re.S)
# A path glued to an expression ({{ portal_base_url }}/notifications/) or given as a
# default ({{ n.link|default:'/' }}) is hard-coded just the same.
GLUED_PATH = re.compile(r"""}}/\w|\|default:\s*["']/""")


def hard_coded_links(text: str) -> list[str]:
    """The links of a template written as a path of the portal instead of by name."""
    found = [m[0] for m in GLUED_PATH.finditer(text)]
    # Template tags become a marker first, so that quotes inside them ({% url 'x' %}) do
    # not end the attribute; what is left between the tags is the literal text.
    marked = TAG.sub("\0", text)
    for match in LINK_ATTRIBUTE.finditer(marked):
        if any(literal.startswith("/") or re.search(r"[?&][\w-]+=/", literal)
               for literal in match[2].split("\0")):
            found.append(match[0].replace("\0", "{…}"))
    return found


@pytest.mark.parametrize("text", [
    '<a href="/queue/">', "<form action='/requests/new/'>", '<img src="/static/x.png">',
    '<a href="{% if mine %}/requests/mine/{% else %}{% url \'queue\' %}{% endif %}">',
    '<a href="/requests/{{ r.pk }}/">', '<a href="{{ base }}/notifications/">',
    'listed at {{ portal_base_url }}/notifications/', '<a href="{{ n.link|default:\'/\' }}">',
    '<a href="{% url \'login\' %}?next=/queue/">',
])
def test_the_scan_catches_a_path_written_in_a_template(text):
    assert hard_coded_links(text)


@pytest.mark.parametrize("text", [
    '<a href="{% url \'queue\' %}">', '<a href="{{ r.get_absolute_url }}">',
    '<a href="{% url \'request-new\' %}?server={{ s.name|urlencode }}&amp;kind=renewal">',
    '<a href="?page=2">', '<a href="#main">', '<a href="{{ server.source }}" rel="noopener">',
    '<link rel="stylesheet" href="{% static \'portal.css\' %}">', '<a href="">',
    '<dd><code>/etc/claude-code/managed-mcp.json</code></dd>',
])
def test_the_scan_leaves_named_links_and_plain_text_alone(text):
    assert hard_coded_links(text) == []


def test_no_template_writes_a_path_of_the_portal():
    offenders = {str(path.relative_to(TEMPLATES)): hard_coded_links(path.read_text())
                 for path in sorted(TEMPLATES.rglob("*")) if path.is_file()}
    assert {name: links for name, links in offenders.items() if links} == {}


# ─── the pages, with the routes mounted under /portal/ ──────────────────────────────

LINK = re.compile(r"""\b(?:href|src|action|formaction)="([^"]*)\"""")


def internal_links(html: str) -> set[str]:
    return {link for link in LINK.findall(html) if link.startswith("/")
            and not link.startswith("//")}


def assert_links_follow_the_routes(html: str, where: str) -> int:
    """Every internal link of `html` is under the mount point and opens a route."""
    links = internal_links(html)
    static = "/" + settings.STATIC_URL.lstrip("/")
    for link in links - {link for link in links if link.startswith(static)}:
        assert link.startswith(PREFIX), f"{where}: {link} is not under {PREFIX}"
        try:
            resolve(urlsplit(link).path)
        except Resolver404:
            pytest.fail(f"{where}: {link} opens no route")
    return len(links)


@pytest.fixture
def portal(db, file, developer, tech_lead, security):
    """Something on every page: an approved server expiring soon with an overdue bump, a
    denied server, two exports, a notice, and someone who may see everything."""
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True,
                       roles=["security_team", "tech_lead", "platform_team"])
    approved = file()
    workflow.assign(actor=security, request=approved)
    workflow.set_assessment(actor=security, request=approved, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=approved, role="tech_lead", decision="approve",
                      comment="ok")
    workflow.sign_off(actor=security, request=approved, role="security_team",
                      decision="approve", comment="Reviewed.", expires=timezone.localdate()
                      + dt.timedelta(days=20))
    registry_services.build_export(cause="first")
    bump = file(kind="version_bump", version="1.2.4", use_case="Bump.",
                config=stdio_config("@context7/mcp-server", "1.2.4"),
                now=timezone.now() - dt.timedelta(days=10))
    denied = file(server_name="browser", source="https://github.com/x/browser",
                  package="@x/browser", config=stdio_config("@x/browser", "1.0.0"),
                  version="1.0.0")
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Reaches any website.", alternative="Use a fetch tool.")
    snapshot = registry_services.build_export(cause="second")
    request_events.request_event(bump.pk, "filed")
    return {"boss": boss, "approved": approved, "bump": bump, "denied": denied,
            "snapshot": snapshot}


@pytest.mark.urls("tests.urls_elsewhere")
def test_with_the_routes_moved_every_link_of_every_page_follows_them(
        portal, client_for, developer, other_developer, client):
    boss, snapshot = portal["boss"], portal["snapshot"]
    as_boss, as_developer = client_for(boss), client_for(developer)
    pages = [
        (as_boss, reverse("catalog")),
        (as_boss, reverse("server-detail", args=["context7"])),
        (as_boss, reverse("server-detail", args=["browser"])),
        (as_boss, reverse("request-detail", args=[portal["bump"].pk])),
        (as_boss, reverse("request-detail", args=[portal["approved"].pk])),
        (as_boss, reverse("request-detail", args=[portal["denied"].pk])),
        (as_boss, reverse("queue")),
        (as_boss, reverse("dashboard")),
        (as_boss, reverse("audit")),
        (as_boss, reverse("exports")),
        (as_boss, reverse("export-detail", args=[snapshot.pk])),
        (as_boss, f"{reverse('export-diff')}?a={snapshot.previous_id}&b={snapshot.pk}"),
        (as_boss, reverse("tokens")),
        (as_boss, reverse("notifications")),
        (as_boss, f"{reverse('request-new')}?server=context7&kind=renewal"),
        (as_developer, reverse("my-requests")),
        (as_developer, reverse("request-detail", args=[portal["bump"].pk])),
        (as_developer, reverse("notifications")),
        (as_developer, reverse("queue")),  # the 403 page
        (as_developer, reverse("request-detail", args=[99999])),  # the 404 page
        (client, reverse("login")),
    ]
    seen = 0
    for http_client, url in pages:
        response = http_client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        seen += assert_links_follow_the_routes(response.content.decode(), url)
    assert seen > 100  # the pages did list things

    # A refusal's link, made in Python: a duplicate of someone else's request links to
    # the server's page, one's own to the request.
    form = form_data(kind="version_bump", version="1.2.4",
                     args="-y\n@context7/mcp-server@1.2.4")
    for user, page in ((developer, reverse("request-detail", args=[portal["bump"].pk])),
                       (other_developer, reverse("server-detail", args=["context7"]))):
        html = client_for(user).post(reverse("request-new"), form).content.decode()
        assert f'href="{page}">' in html
        assert_links_follow_the_routes(html, f"a duplicate filed by {user}")

    # Signing in lands on the catalog where it is mounted.
    UserFactory(username="newcomer")
    response = client.post(reverse("login"), {"username": "newcomer",
                                              "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == reverse("catalog")


# ─── get_absolute_url ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("urls", [None, "tests.urls_elsewhere"])
def test_each_model_s_absolute_url_opens_its_page(portal, client_for, urls, settings):
    if urls:
        settings.ROOT_URLCONF = urls
    client = client_for(portal["boss"])
    server = Server.objects.get(name="context7")
    request = Request.objects.get(pk=portal["bump"].pk)
    snapshot = ExportSnapshot.objects.get(pk=portal["snapshot"].pk)
    for obj, shows in ((server, "context7"), (request, f"#{request.pk}"),
                       (snapshot, snapshot.sha256)):
        url = obj.get_absolute_url()
        assert url.startswith(PREFIX if urls else "/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.resolver_match.func is resolve(url).func
        assert shows in response.content.decode()
