"""The upstream release watch against real registry servers on local ports, started here:
Verdaccio 6.8.0 (npm; tests/servers/registries, `npm ci` on first use) with packages
published and deprecated by the npm client, and pypiserver 2.4.2 (PyPI's JSON API shape,
`/<name>/json`) with release files dropped into its folder. No mocked HTTP.

Marked `services` (`make test-services`): they need node and npm and take seconds each."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from notifications.models import Notification
from registry import upstream_watch
from registry.models import UpstreamCheck, UpstreamRelease
from tests.factories import ApprovalFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
NODE_PROJECT = ROOT / "tests" / "servers" / "registries"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ─── Verdaccio (npm) ────────────────────────────────────────────────────────────────


class Npm:
    def __init__(self, base: str, folder: Path, token: str):
        self.base, self.folder = base, folder
        self.userconfig = folder / "npmrc"
        host = base.removeprefix("http:")
        self.userconfig.write_text(f"registry={base}/\n{host}/:_authToken={token}\n")

    def run(self, *args: str, cwd: Path | None = None) -> None:
        subprocess.run(["npm", *args, "--registry", f"{self.base}/", "--userconfig",
                        str(self.userconfig), "--cache", str(self.folder / "cache"),
                        "--no-audit", "--no-fund"],
                       cwd=cwd or self.folder, check=True, capture_output=True, timeout=120)

    def publish(self, name: str, version: str) -> None:
        package = self.folder / "packages" / f"{name.replace('/', '__')}-{version}"
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps(
            {"name": name, "version": version, "description": "A test MCP server.",
             "license": "MIT", "main": "index.js"}))
        (package / "index.js").write_text("module.exports = {};\n")
        self.run("publish", "--access", "public", cwd=package)

    def deprecate(self, spec: str, message: str) -> None:
        self.run("deprecate", spec, message)


@pytest.fixture(scope="module")
def verdaccio(tmp_path_factory):
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail("the npm registry tests need node and npm (Node 20 or later)")
    if not (NODE_PROJECT / "node_modules" / ".bin" / "verdaccio").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PROJECT,
                       check=True, capture_output=True, timeout=600)
    folder = tmp_path_factory.mktemp("verdaccio")
    port = free_port()
    config = folder / "config.yaml"
    config.write_text(f"""\
storage: {folder / 'storage'}
auth:
  htpasswd:
    file: {folder / 'htpasswd'}
    max_users: 10
uplinks: {{}}
packages:
  '@*/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
log: {{type: stdout, format: pretty, level: warn}}
""")
    process = subprocess.Popen(
        [str(NODE_PROJECT / "node_modules" / ".bin" / "verdaccio"), "--config", str(config),
         "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/-/ping", process)
        user = json.dumps({"name": "tester", "password": "tester-pass-1", "type": "user",
                           "roles": []}).encode()
        request = urllib.request.Request(f"{base}/-/user/org.couchdb.user:tester", data=user,
                                         method="PUT",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            token = json.load(answer)["token"]
        npm = Npm(base, folder, token)
        for version in ("1.0.0", "1.0.1", "1.1.0"):
            npm.publish("@acme/mcp-docs", version)
        npm.deprecate("@acme/mcp-docs@1.0.0", "Security issue, use 1.0.1 or later")
        yield npm
    finally:
        stop(process)


def test_npm_update_and_deprecated_pin_from_a_live_registry(
        verdaccio, settings, developer, security):
    settings.UPSTREAM_NPM_URL = verdaccio.base
    approval = ApprovalFactory(server__name="docs", server__package_registry="npm",
                               server__package="@acme/mcp-docs", version="1.0.0",
                               owner=developer)

    report = upstream_watch.watch_upstream_releases()

    assert report.failed == []
    update = UpstreamRelease.objects.get(approval=approval, kind="update")
    assert (update.version, update.level) == ("1.1.0", "minor")
    assert update.released_at is not None  # from the package document's `time`
    withdrawn = UpstreamRelease.objects.get(approval=approval, kind="withdrawn")
    assert withdrawn.detail == "deprecated on npm: Security issue, use 1.0.1 or later"
    assert list(Notification.objects.get(kind="upstream_update").recipients.all()) == [
        developer]
    assert list(Notification.objects.get(kind="upstream_withdrawn").recipients.all()) == [
        security]


def test_npm_package_the_registry_does_not_know(verdaccio, settings):
    settings.UPSTREAM_NPM_URL = verdaccio.base
    ApprovalFactory(server__name="ghost", server__package_registry="npm",
                    server__package="@acme/never-published", version="1.0.0")

    report = upstream_watch.watch_upstream_releases()

    assert "answered 404" in report.failed[0]
    assert UpstreamCheck.objects.get(package="@acme/never-published").failures == 1
    assert not UpstreamRelease.objects.exists()


def test_a_release_published_later_is_recorded_once_on_the_next_run(
        verdaccio, settings, developer):
    settings.UPSTREAM_NPM_URL = verdaccio.base
    ApprovalFactory(server__name="later", server__package_registry="npm",
                    server__package="late-mcp", version="0.1.0", owner=developer)
    verdaccio.publish("late-mcp", "0.1.0")
    first = upstream_watch.watch_upstream_releases()
    verdaccio.publish("late-mcp", "0.1.1")

    second = upstream_watch.watch_upstream_releases()
    third = upstream_watch.watch_upstream_releases()

    assert (first.updates, second.updates, third.updates) == (0, 1, 0)
    assert UpstreamRelease.objects.get(kind="update").level == "patch"


# ─── pypiserver (PyPI) ──────────────────────────────────────────────────────────────


def sdist(folder: Path, name: str, version: str) -> None:
    """A minimal source distribution, named as pypiserver reads names and versions."""
    stem = f"{name.replace('-', '_')}-{version}"
    info = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").encode()
    with tarfile.open(folder / f"{stem}.tar.gz", "w:gz") as archive:
        entry = tarfile.TarInfo(f"{stem}/PKG-INFO")
        entry.size = len(info)
        archive.addfile(entry, io.BytesIO(info))


@pytest.fixture
def pypiserver(tmp_path, settings):
    packages = tmp_path / "packages"
    packages.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "pypi-server"), "run", "-p", str(port), "-i", "127.0.0.1", "-a", ".",
         "-P", ".", "--backend", "simple-dir", "--disable-fallback", str(packages)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/health", process)
        settings.UPSTREAM_PYPI_JSON_URL = f"{base}/{{package}}/json"
        yield packages
    finally:
        stop(process)


def test_pypi_update_from_a_live_registry(pypiserver, developer):
    sdist(pypiserver, "mcp-test-fetch", "1.0.0")
    sdist(pypiserver, "mcp-test-fetch", "1.2.0")
    approval = ApprovalFactory(server__name="fetch", server__package_registry="pypi",
                               server__package="mcp-test-fetch", version="1.0.0",
                               owner=developer)

    first = upstream_watch.watch_upstream_releases()
    sdist(pypiserver, "mcp-test-fetch", "2.0.0")
    second = upstream_watch.watch_upstream_releases()
    again = upstream_watch.watch_upstream_releases()

    found = {(r.version, r.level) for r in UpstreamRelease.objects.filter(approval=approval)}
    assert found == {("1.2.0", "minor"), ("2.0.0", "major")}
    assert (first.updates, second.updates, again.updates) == (1, 1, 0)
    assert first.withdrawn == 0
    assert Notification.objects.filter(kind="upstream_update").count() == 2


def test_pypi_package_the_registry_does_not_know(pypiserver):
    ApprovalFactory(server__name="nothing", server__package_registry="pypi",
                    server__package="mcp-not-there", version="1.0.0")

    report = upstream_watch.watch_upstream_releases()

    assert "answered 404" in report.failed[0]
