"""A real OpenID Connect provider for the tests: tests/servers/oidc/provider.mjs (panva's
oidc-provider on Node) started on a free local port, with test users whose groups a test
changes by rewriting their file, and a signing key the test holds too, so that it can mint
tokens the provider's JWKS vouches for (or not). `npm ci` installs it on first use (the
lock file is committed; node_modules never is)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from accounts import oidc
from accounts.models import GroupRoleMapping

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "mcp-portal"
CLIENT_SECRET = "test-only-client-secret"
KID = "test-key-1"
PASSWORD = "correct horse battery staple"

USERS = {
    "alice": {"sub": "00u-alice", "email": "alice@company.com", "given_name": "Alice",
              "family_name": "Ng", "groups": ["Engineering", "Portal Security"]},
    "bob": {"sub": "00u-bob", "email": "bob@company.com", "given_name": "Bob",
            "family_name": "Lee", "groups": ["Engineering", "Tech Leads"]},
    "nogroups": {"sub": "00u-nogroups", "email": "ng@company.com", "given_name": "No",
                 "family_name": "Groups", "groups": None},
    "sales": {"sub": "00u-sales", "email": "sales@company.com", "given_name": "Sam",
              "family_name": "Sales", "groups": ["Sales"]},
}
# What the portal's mapping says about the provider's groups in these tests.
MAPPING = {"Engineering": "member", "Portal Security": "security_team",
           "Tech Leads": "tech_lead", "Portal Admins": "administrator"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def npm_ci() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("the OIDC provider tests need Node 20 and npm (tests/servers/oidc)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,
                   stdout=subprocess.DEVNULL)


class Provider:
    def __init__(self, workdir: Path, portal_url: str):
        self.workdir = workdir
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key))
        jwk.pop("key_ops", None)  # PyJWT says ["sign"]; the provider verifies with it too
        jwk.update(kid=KID, alg="RS256", use="sig")
        (workdir / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
        self.users_file = workdir / "users.json"
        self.set_users(USERS)
        self.portal_url = portal_url.rstrip("/")
        self.process = None

    def set_users(self, users: dict) -> None:
        """The provider's users, as {username: {sub, email, ..., groups}}; read at every
        sign-in, so this is how a test changes a person's groups at the provider."""
        self.users = json.loads(json.dumps(users))
        data = {name: {**user, "password": PASSWORD} for name, user in self.users.items()}
        tmp = self.users_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.users_file)

    def set_groups(self, username: str, groups: list[str] | None) -> None:
        self.set_users({**self.users, username: {**self.users[username], "groups": groups}})

    def start(self) -> None:
        npm_ci()
        env = {**os.environ, "OIDC_PORT": str(self.port),
               "OIDC_JWKS_FILE": str(self.workdir / "jwks.json"),
               "OIDC_USERS_FILE": str(self.users_file), "OIDC_CLIENT_ID": CLIENT_ID,
               "OIDC_CLIENT_SECRET": CLIENT_SECRET,
               "OIDC_REDIRECT_URIS": f"{self.portal_url}/oidc/callback/",
               "OIDC_POST_LOGOUT_URIS": f"{self.portal_url}/accounts/login/",
               "NODE_ENV": "test"}
        self.log = open(self.workdir / "provider.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=HERE, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("the OIDC provider stopped: "
                            + (self.workdir / "provider.log").read_text()[-2000:])
            try:
                with urllib.request.urlopen(self.discovery_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail("the OIDC provider did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.log.close()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def mint(self, *, key=None, kid=KID, **claims) -> str:
        """An ID token signed with the provider's own key (or `key`), with `claims` over
        good defaults; a claim given as None is left out."""
        now = dt.datetime.now(dt.UTC)
        body = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "00u-alice", "nonce": "n-1",
                "iat": now, "exp": now + dt.timedelta(minutes=5),
                "groups": ["Engineering"]}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    provider = Provider(tmp_path_factory.mktemp("oidc"), live_server.url)
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_portal(settings, oidc_provider, transactional_db):
    """The live portal configured for the provider, with the tests' group mapping; each
    test starts with the provider's users as USERS."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_ENABLED = True
    settings.OIDC_DISCOVERY_URL = oidc_provider.discovery_url
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_GROUP_ROLES = {}
    for group, role in MAPPING.items():
        GroupRoleMapping.objects.create(group=group, role=role)
    oidc_provider.set_users(USERS)
    oidc.forget_discovery()
    yield oidc_provider
    oidc.forget_discovery()
