"""The export signing key (Ed25519, RFC 8032): read from the environment or a file when the
settings load, never from the database, and refused there with a message naming the variable
when signing is on and the key is missing or malformed. Keys carry an id (given, or the first
16 hex digits of the sha256 of the raw public key); a rotated-out public key is served beside
the new one until the date it was given."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ON = {"1", "true", "yes", "on"}
OFF = {"", "0", "false", "no", "off"}
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class SigningKeyError(ValueError):
    """The signing settings cannot be used; the message names the variable and the rule."""


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: Ed25519PublicKey
    until: dt.date | None = None  # a previous key: served through this day

    @property
    def pem(self) -> str:
        return self.key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def verifies(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def as_json(self) -> dict:
        return {"id": self.key_id, "algorithm": "Ed25519", "pem": self.pem,
                "until": self.until.isoformat() if self.until else None}


@dataclass(frozen=True)
class Signer:
    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)
    previous: tuple[PublicKey, ...] = ()

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key_id, self.private_key.public_key())

    def sign(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of `data` (what `openssl pkeyutl -verify
        -rawin -sigfile` reads)."""
        return self.private_key.sign(data)

    def public_keys(self, today: dt.date) -> list[PublicKey]:
        """The current key first, then each previous key whose overlap has not ended."""
        return [self.public, *(k for k in self.previous if k.until and k.until >= today)]


def key_id_of(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _read(env, name: str) -> str | None:
    """`name` from the environment, or the file `name`_FILE names."""
    if env.get(name):
        return env[name]
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text()
    except OSError as error:
        raise SigningKeyError(f"{name}_FILE={path!r} cannot be read: {error.strerror}.") from None


def _private_key(pem: str) -> Ed25519PrivateKey:
    if "\n" not in pem:  # one line in a .env file, its line breaks written as \n
        pem = pem.replace("\\n", "\n")
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise SigningKeyError(
            "EXPORT_SIGNING_KEY is not an unencrypted PEM private key (PKCS#8, "
            "-----BEGIN PRIVATE KEY-----); make one with: openssl genpkey -algorithm ed25519"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"EXPORT_SIGNING_KEY is a {type(key).__name__.removeprefix('_')}"
                              ", not an Ed25519 key; make one with: openssl genpkey "
                              "-algorithm ed25519")
    return key


def _previous(text: str) -> tuple[PublicKey, ...]:
    name = "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS"
    try:
        items = json.loads(text)
    except ValueError:
        raise SigningKeyError(f"{name} is not JSON: give a list of "
                              '{"id": ..., "pem": ..., "until": "YYYY-MM-DD"}.') from None
    if not isinstance(items, list):
        raise SigningKeyError(f"{name} must be a JSON list of keys.")
    keys = []
    for at, item in enumerate(items):
        where = f"{name}[{at}]"
        if not isinstance(item, dict) or not isinstance(item.get("pem"), str):
            raise SigningKeyError(f"{where} needs a 'pem' (the public key, PEM).")
        try:
            key = serialization.load_pem_public_key(item["pem"].encode())
        except (ValueError, TypeError):
            raise SigningKeyError(f"{where}.pem is not a PEM public key.") from None
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError(f"{where}.pem is not an Ed25519 public key.")
        try:
            until = dt.date.fromisoformat(str(item.get("until")))
        except ValueError:
            raise SigningKeyError(f"{where}.until must be a date (YYYY-MM-DD): the last day "
                                  "the key is served beside the new one.") from None
        key_id = item.get("id") or key_id_of(key)
        if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
            raise SigningKeyError(f"{where}.id may hold only letters, digits, '.', '_' and "
                                  "'-' (at most 64).")
        keys.append(PublicKey(key_id, key, until))
    return tuple(keys)


def load(env) -> Signer | None:
    """The signer the environment configures: None when EXPORT_SIGNING is off (the
    embedded default); SigningKeyError when it is on and the key cannot be used."""
    switch = (env.get("EXPORT_SIGNING") or "").strip().lower()
    if switch in OFF:
        return None
    if switch not in ON:  # a typo must not leave signing off unnoticed
        raise SigningKeyError(f"EXPORT_SIGNING={env['EXPORT_SIGNING']!r} is neither on nor "
                              "off: use on (1, true, yes) or off (0, false, no).")
    pem = _read(env, "EXPORT_SIGNING_KEY")
    if not pem:
        raise SigningKeyError(
            "EXPORT_SIGNING is on but no key is set: set EXPORT_SIGNING_KEY (an Ed25519 "
            "private key, PEM PKCS#8) or EXPORT_SIGNING_KEY_FILE (the path of one), or "
            "turn signing off with EXPORT_SIGNING=off.")
    key = _private_key(pem)
    key_id = env.get("EXPORT_SIGNING_KEY_ID") or key_id_of(key.public_key())
    if not KEY_ID.fullmatch(key_id):
        raise SigningKeyError(f"EXPORT_SIGNING_KEY_ID={key_id!r} may hold only letters, "
                              "digits, '.', '_' and '-' (at most 64).")
    previous_text = _read(env, "EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS")
    previous = _previous(previous_text) if previous_text else ()
    ids = [key_id, *(k.key_id for k in previous)]
    if len(set(ids)) != len(ids):
        raise SigningKeyError("EXPORT_SIGNING_PREVIOUS_PUBLIC_KEYS repeats a key id (or the "
                              f"current one, {key_id!r}): each key needs its own id.")
    return Signer(key_id, key, previous)
