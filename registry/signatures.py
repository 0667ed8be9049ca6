"""Detached signatures of the export files (`<file>.sig`, raw Ed25519 over the file's bytes as
stored, i.e. as a client has them once any Content-Encoding is undone) and the public keys
that verify them. Ed25519 signatures are deterministic, so a file's signature is made once
per content and key and kept in memory; with signing off there is none."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from governance.signing import PublicKey, Signer

from . import services
from .selectors import ExportState

_made: dict[tuple[str, str], bytes] = {}
_KEPT = 64


def signer() -> Signer | None:
    return settings.EXPORT_SIGNER


def sign_bytes(data: bytes, cache_key: str | None = None) -> tuple[str, bytes] | None:
    """(key id, signature) of `data` with the current key; None with signing off."""
    current = signer()
    if current is None:
        return None
    key = (cache_key, current.key_id) if cache_key else None
    signature = _made.get(key) if key else None
    if signature is None:
        signature = current.sign(data)
        if key:
            while len(_made) >= _KEPT:
                _made.pop(next(iter(_made)))
            _made[key] = signature
    return current.key_id, signature


def file_signature(state: ExportState, filename: str) -> tuple[str, bytes] | None:
    """The signature of one file of the current snapshot `state`."""
    if signer() is None:
        return None
    sha = state.file_sha256[filename]
    cached = _made.get((sha, signer().key_id))
    if cached is not None:
        return signer().key_id, cached
    return sign_bytes(services.export_file_bytes(state, filename, gzip_=False), sha)


def public_keys(today: dt.date | None = None) -> list[PublicKey]:
    """The keys a verifier should accept now: the current one first, then previous keys
    still within their overlap. Empty with signing off."""
    current = signer()
    return current.public_keys(today or timezone.localdate()) if current else []


SIGNING_OFF = ("Export signing is off on this portal (EXPORT_SIGNING): the files have no "
               "signature and there is no public key.")
