"""Signed exports: each file's detached Ed25519 signature verifies with the real openssl and
the public key the portal serves; rotation serves the previous key through its date; signing
off changes nothing; signing on without a usable key stops the start; the README's pipeline
snippet deploys a good file and stops on a tampered one."""

import datetime as dt
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance import signing
from registry import signatures

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
FILE = "managed-mcp.json"


def pem_of(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem_of(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def signing_on(settings):
    key = Ed25519PrivateKey.generate()
    settings.EXPORT_SIGNER = signing.load({"EXPORT_SIGNING": "on",
                                           "EXPORT_SIGNING_KEY": pem_of(key)})
    signatures._made.clear()
    yield key
    signatures._made.clear()


def openssl_verify(tmp_path, pub: bytes, body: bytes, sig: bytes) -> subprocess.CompletedProcess:
    (tmp_path / "pub.pem").write_bytes(pub)
    (tmp_path / "file").write_bytes(body)
    (tmp_path / "file.sig").write_bytes(sig)
    return subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
         "-in", "file", "-sigfile", "file.sig"],
        cwd=tmp_path, capture_output=True, text=True)


def test_each_file_has_a_signature_openssl_verifies_with_the_served_key(
        client_for, platform, active_approval, signing_on, tmp_path, client):
    pub = client.get("/exports/signing-key.pem")  # no sign-in needed for a public key
    assert pub.status_code == 200 and b"BEGIN PUBLIC KEY" in pub.content
    portal = client_for(platform)
    for prefix in ("/exports/latest/", "/api/v1/exports/latest/"):
        for name in ("managed-mcp.json", "managed-settings.json", "mcp-registry.yaml"):
            body = portal.get(prefix + name).content
            sig = portal.get(prefix + name + ".sig")
            assert sig.status_code == 200 and len(sig.content) == 64
            assert sig["X-Signing-Key-Id"] == pub["X-Signing-Key-Id"]
            result = openssl_verify(tmp_path, pub.content, body, sig.content)
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Signature Verified Successfully" in result.stdout

    tampered = openssl_verify(tmp_path, pub.content, body.replace(b"context7", b"context8"),
                              sig.content)
    assert tampered.returncode != 0 and "Signature Verification Failure" in tampered.stdout


def test_the_gzipped_download_verifies_once_decoded(client_for, platform, active_approval,
                                                    signing_on):
    import gzip

    portal = client_for(platform)
    zipped = portal.get(f"/api/v1/exports/latest/{FILE}", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    sig = portal.get(f"/api/v1/exports/latest/{FILE}.sig").content
    signing_on.public_key().verify(sig, gzip.decompress(zipped.content))


def test_the_exports_page_shows_the_key_and_the_signature_links(client_for, platform,
                                                                active_approval, signing_on):
    page = client_for(platform).get("/exports/").content.decode()
    assert public_pem_of(signing_on).strip().splitlines()[1] in page
    assert f"/exports/latest/{FILE}.sig" in page
    assert "openssl pkeyutl -verify" in page


def test_with_signing_off_nothing_changes_and_there_is_no_signature(client_for, platform,
                                                                   active_approval, client):
    portal = client_for(platform)
    assert portal.get(f"/exports/latest/{FILE}").status_code == 200
    for url in (f"/exports/latest/{FILE}.sig", f"/api/v1/exports/latest/{FILE}.sig"):
        response = portal.get(url)
        assert response.status_code == 404
        assert "signing is off" in response.content.decode()
    assert client.get("/exports/signing-key.pem").status_code == 404
    page = portal.get("/exports/").content.decode()
    assert ".sig" not in page and "Signing is off" in page


def test_a_signature_of_an_unknown_file_is_404_and_developers_get_none(
        client_for, platform, developer, active_approval, signing_on):
    assert client_for(platform).get("/exports/latest/secrets.txt.sig").status_code == 404
    assert client_for(platform).get("/api/v1/exports/latest/x.json.sig").status_code == 404
    assert client_for(developer).get(f"/exports/latest/{FILE}.sig").status_code == 403


def test_rotation_serves_the_previous_key_through_its_date(settings, client, signing_on):
    old, older = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    today = dt.date.today()
    settings.EXPORT_SIGNER = signing.load({
        "EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": pem_of(signing_on),
        "EXPORT_SIGNING_KEY_ID": "key-2027",
        "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS": json.dumps([
            {"id": "key-2026", "pem": public_pem_of(old),
             "until": (today + dt.timedelta(days=30)).isoformat()},
            {"id": "key-2025", "pem": public_pem_of(older),
             "until": (today - dt.timedelta(days=1)).isoformat()},
        ])})

    listed = client.get("/exports/signing-keys.json").json()

    assert listed["current"] == "key-2027"
    assert [k["id"] for k in listed["keys"]] == ["key-2027", "key-2026"]
    assert listed["keys"][1]["pem"] == public_pem_of(old)
    assert client.get("/exports/signing-key.pem").content.decode() == public_pem_of(signing_on)


@pytest.mark.parametrize(("previous_id", "message"), [
    ("key-2027", "repeats a key id (or the current one, 'key-2027')"),
    ("old\r\nX-Evil: 1", "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS[0].id may hold only letters"),
])
def test_a_previous_key_needs_an_id_of_its_own(signing_on, previous_id, message):
    with pytest.raises(signing.SigningKeyError, match=re.escape(message)):
        signing.load({
            "EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": pem_of(signing_on),
            "EXPORT_SIGNING_KEY_ID": "key-2027",
            "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS": json.dumps([
                {"id": previous_id, "pem": public_pem_of(Ed25519PrivateKey.generate()),
                 "until": "2099-01-31"}])})


def test_a_key_on_one_line_with_escaped_line_breaks_loads(signing_on, settings):
    one_line = pem_of(signing_on).replace("\n", "\\n")
    loaded = signing.load({"EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": one_line})
    assert loaded.key_id == settings.EXPORT_SIGNER.key_id


def test_the_key_id_is_derived_from_the_public_key_when_not_given(signing_on, settings):
    again = signing.load({"EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": pem_of(signing_on)})
    assert re.fullmatch(r"[0-9a-f]{16}", again.key_id)
    assert again.key_id == settings.EXPORT_SIGNER.key_id


def manage_check(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_signing_on_with_a_good_key_file_starts(tmp_path):
    (tmp_path / "key.pem").write_text(pem_of(Ed25519PrivateKey.generate()))
    result = manage_check({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
                           "EXPORT_SIGNING": "on",
                           "EXPORT_SIGNING_KEY_FILE": str(tmp_path / "key.pem")})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("env", "message"), [
    ({}, "EXPORT_SIGNING is on but no key is set"),
    ({"EXPORT_SIGNING_KEY": "not a key"}, "EXPORT_SIGNING_KEY is not an unencrypted PEM"),
    ({"EXPORT_SIGNING_KEY_FILE": "/nonexistent/key.pem"},
     "EXPORT_SIGNING_KEY_FILE='/nonexistent/key.pem' cannot be read"),
    ({"EXPORT_SIGNING_KEY": "RSA"}, "not an Ed25519 key"),
    ({"EXPORT_SIGNING_KEY": "ED", "EXPORT_SIGNING_KEY_ID": "k1\r\nX-Evil: 1"},
     "EXPORT_SIGNING_KEY_ID='k1\\r\\nX-Evil: 1' may hold only letters"),
    ({"EXPORT_SIGNING_KEY": "ED", "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS": "[{\"pem\": 1}]"},
     "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS[0] needs a 'pem'"),
    ({"EXPORT_SIGNING": "enabled", "EXPORT_SIGNING_KEY": "ED"},
     "EXPORT_SIGNING='enabled' is neither on nor off"),
])
def test_signing_on_with_the_key_missing_or_malformed_refuses_to_start(tmp_path, env,
                                                                       message):
    if env.get("EXPORT_SIGNING_KEY") == "RSA":
        from cryptography.hazmat.primitives.asymmetric import rsa

        env["EXPORT_SIGNING_KEY"] = rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
    if env.get("EXPORT_SIGNING_KEY") == "ED":
        env["EXPORT_SIGNING_KEY"] = pem_of(Ed25519PrivateKey.generate())
    result = manage_check({"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
                           "EXPORT_SIGNING": "on", **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


@pytest.mark.parametrize("command", [
    ["-m", "gunicorn", "--check-config", "governance.wsgi:application"],  # the web (compose)
    ["-m", "celery", "-A", "governance", "worker", "-P", "solo"],  # the worker and beat
], ids=["gunicorn", "celery"])
def test_the_web_server_and_the_worker_refuse_to_start_on_a_malformed_key(tmp_path,
                                                                         command):
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**base, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "SECRET_KEY": "x" * 50,
             "EXPORT_SIGNING": "on", "EXPORT_SIGNING_KEY": "not a key"})
    assert result.returncode != 0
    assert "EXPORT_SIGNING_KEY is not an unencrypted PEM" in result.stdout + result.stderr


def readme_pipeline() -> str:
    text = (ROOT / "README.md").read_text()
    return re.search(r"<!-- pipeline-verify -->\n```sh\n(.*?)```", text, re.S).group(1)


def serve_directory(root: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("tampered", [False, True])
def test_the_readme_pipeline_deploys_a_good_file_and_stops_on_a_tampered_one(
        client_for, platform, active_approval, signing_on, tmp_path, tampered):
    """The portal's real answers, served as they are (or one file changed on the way) by a
    local HTTP server; the README's snippet, run as written by sh."""
    portal = client_for(platform)
    site = tmp_path / "site" / "api" / "v1" / "exports" / "latest"
    site.mkdir(parents=True)
    for name in ("managed-mcp.json", "managed-settings.json"):
        body = portal.get(f"/api/v1/exports/latest/{name}").content
        if tampered and name == FILE:
            body = body.replace(b"context7", b"evil-mcp")
        (site / name).write_bytes(body)
        (site / f"{name}.sig").write_bytes(portal.get(f"/api/v1/exports/latest/{name}.sig")
                                           .content)
    work, deploy = tmp_path / "work", tmp_path / "deploy"
    work.mkdir(), deploy.mkdir()
    (work / "signing-key.pem").write_bytes(portal.get("/exports/signing-key.pem").content)
    server = serve_directory(tmp_path / "site")
    try:
        result = subprocess.run(
            ["sh", "-c", readme_pipeline()], cwd=work, capture_output=True, text=True,
            timeout=60, env={"PATH": os.environ["PATH"], "PORTAL_TOKEN": "t",
                             "PORTAL": f"http://127.0.0.1:{server.server_port}",
                             "DEPLOY_DIR": str(deploy)})
    finally:
        server.shutdown()
    if tampered:
        assert result.returncode != 0
        assert "Signature Verification Failure" in result.stdout + result.stderr
        assert list(deploy.iterdir()) == []
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads((deploy / FILE).read_text())["mcpServers"]["context7"]
