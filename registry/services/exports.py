"""The export files: rendered from the registry, stored as a snapshot when they changed,
and rebuilt by the reader that finds them behind (SPEC §6, §8)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import gc
import gzip
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import acting_as
from governance.compiled import bound_on_server
from governance.locks import job_lock

from .. import formats
from ..models import ExportSnapshot, RegistryRevision
from ..selectors import (
    ExportState,
    approved_entries,
    export_sections,
    export_state,
    latest_snapshot_head,
)
from . import fragments


@contextlib.contextmanager
def _no_cycle_collection():
    """The cyclic garbage collector paused: a build holds a few hundred thousand objects
    (the deployable servers' configs, the YAML's parts), none of them in a cycle, which
    each of the collector's full passes walked again; a third of a build at 100,000
    approvals. What the build leaves in a cycle is collected after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render(today: dt.date | None, only: tuple[str, ...] = ExportSnapshot.FILES,
            written: list | None = None, sealer: fragments.Sealer | None = None
            ) -> tuple[dict[str, bytes], dt.date | None]:
    """The files' bytes and the earliest expiry in the deployable ones, from one pass over
    the approvals read a chunk at a time (formats.ExportFiles); each registry YAML entry
    taken from the last build where it is still the one written from the approval as it
    is (registry.services.fragments). The entries written anew are appended to `written`
    as (approval id, seal, text), for the build to keep."""
    with _no_cycle_collection():
        return _render_files(today, only, written, sealer)


def _render_files(today, only, written, sealer):
    today = today or timezone.localdate()
    yaml = "mcp-registry.yaml" in only
    writer = formats.ExportFiles(
        yaml=yaml, claude_code=bool({"managed-mcp.json", "managed-settings.json"} & set(only)))
    sealer = sealer or fragments.Sealer()
    kept, seal = sealer.kept, sealer.seal
    for row in approved_entries(today):
        text = kept(row.source, row.kept_text, row.kept_seal) if yaml else None
        fresh = writer.add(row.entry, row.in_force, yaml=text)
        if fresh is not None and written is not None:  # sealed now: the source is dropped
            written.append((row.approval_id, seal(row.source, fresh), fresh))
    registry, denied = export_sections(today)
    files = writer.files(registry, denied)
    return {name: files[name] for name in only}, writer.valid_until


def render_files(today: dt.date | None = None, only: tuple[str, ...] = ExportSnapshot.FILES
                 ) -> tuple[dict[str, str], dt.date | None]:
    """The export files (all three, or those named in `only`) as they would be built now."""
    files, valid_until = _render(today, only)
    return {name: data.decode() for name, data in files.items()}, valid_until


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def gzipped(text: str) -> bytes:
    """A file's gzip bytes, made once when it is built (mtime 0: the same file, the same
    bytes)."""
    return _gzip(text.encode())


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def snapshot_sha(file_sha: dict[str, str]) -> str:
    return _sha("".join(f"{name}:{file_sha[name]}\n" for name in sorted(file_sha)))


def diff_files(old: dict[str, str] | None, new: dict[str, str]) -> str:
    """A unified diff of each file (3 lines of context), from `old` (None: nothing) to
    `new`."""
    return "".join(_unified_diff((old or {}).get(name, ""), new[name], name)
                   for name in ExportSnapshot.FILES)


CONTEXT = 3
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@$", re.MULTILINE)
_CHUNK = 1 << 16


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters a and b share (compared a chunk at a time, in C)."""
    limit, at = min(len(a), len(b)), 0
    while at + _CHUNK <= limit and a[at:at + _CHUNK] == b[at:at + _CHUNK]:
        at += _CHUNK
    while at < limit and a[at] == b[at]:
        at += 1
    return at


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many trailing characters a and b share, at most `limit`."""
    at, end_a, end_b = 0, len(a), len(b)
    while at + _CHUNK <= limit and (
            a[end_a - at - _CHUNK:end_a - at] == b[end_b - at - _CHUNK:end_b - at]):
        at += _CHUNK
    while at < limit and a[end_a - at - 1] == b[end_b - at - 1]:
        at += 1
    return at


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _unified_diff(before: str, after: str, name: str) -> str:
    """difflib's unified diff, run only over the lines between the files' common head and
    tail (less the context kept around the change): a build after one change compares a
    few lines, not the whole of two 100,000-entry files."""
    if before == after:
        return ""
    # The shared head, cut back to a line start and then CONTEXT lines more.
    start = before.rfind("\n", 0, _common_prefix(before, after)) + 1
    for _ in range(CONTEXT):
        if start:
            start = before.rfind("\n", 0, start - 1) + 1
    # The shared tail (not reaching into the head), from a line start, CONTEXT lines in.
    tail = _common_suffix(before, after, min(len(before), len(after)) - start)
    cut = before.find("\n", len(before) - tail)
    end_before = len(before) if cut == -1 else cut + 1
    for _ in range(CONTEXT):
        if end_before < len(before):
            cut = before.find("\n", end_before)
            end_before = len(before) if cut == -1 else cut + 1
    end_after = len(after) - (len(before) - end_before)
    skipped = before.count("\n", 0, start)
    text = "".join(difflib.unified_diff(
        _lines(before[start:end_before]), _lines(after[start:end_after]),
        f"a/{name}", f"b/{name}", n=CONTEXT))

    def shift(match) -> str:
        old_start, old_len, new_start, new_len = match.groups()
        return (f"@@ -{int(old_start) + skipped}{old_len or ''} "
                f"+{int(new_start) + skipped}{new_len or ''} @@")

    return _HUNK.sub(shift, text) if skipped else text


def _stored_file(pk: int, name: str) -> str:
    """One file of a snapshot, read without the rest of its row."""
    return ExportSnapshot.objects.values_list(ExportSnapshot.COLUMNS[name], flat=True).get(pk=pk)


def _diff_from(previous: ExportSnapshot | None, new: dict[str, str],
               file_sha: dict[str, str]) -> str:
    """`diff_files` from the previous snapshot's files, each read only when it changed
    and dropped once compared (three of a large registry's files are hundreds of MB)."""
    parts = []
    for name in ExportSnapshot.FILES:
        if previous is not None and (previous.file_sha256 or {}).get(name) == file_sha[name]:
            continue
        old = _stored_file(previous.pk, name) if previous is not None else ""
        parts.append(_unified_diff(old, new[name], name))
        del old
    return "".join(parts)


def _build(*, cause: str, today: dt.date | None) -> ExportSnapshot | None:
    """Render the files, store a snapshot if they changed, and record which revision the
    served files are now current for. Runs under the build lock."""
    # Read before rendering: a change committed while the files render is newer than them,
    # and leaves the state stale for the next reader or build.
    number = export_state().number
    for _attempt in range(3):
        written: list[tuple[int, bytes, str]] = []
        sealer = fragments.Sealer()
        data, valid_until = _render(today, written=written, sealer=sealer)
        sealer.store(written)
        del written
        file_sha = {name: hashlib.sha256(body).hexdigest() for name, body in data.items()}
        sha = snapshot_sha(file_sha)
        previous = latest_snapshot_head()
        created = None
        if previous is None or previous.sha256 != sha:
            # The files are gzipped by threads (zlib lets go of the GIL) while this one
            # diffs them from the last snapshot's.
            with ThreadPoolExecutor(max_workers=len(data)) as pool:
                gzipping = {ExportSnapshot.GZIP_COLUMNS[name]: pool.submit(_gzip, body)
                            for name, body in data.items()}
                files = {name: data.pop(name).decode() for name in ExportSnapshot.FILES}
                diff = _diff_from(previous, files, file_sha)
                gz = {column: future.result() for column, future in gzipping.items()}
            try:
                with transaction.atomic(), bound_on_server():
                    created = ExportSnapshot.objects.create(
                        cause=cause[:200], sha256=sha, file_sha256=file_sha,
                        registry_yaml=files["mcp-registry.yaml"],
                        managed_mcp_json=files["managed-mcp.json"],
                        managed_settings_json=files["managed-settings.json"], **gz,
                        diff=diff, valid_until=valid_until, previous=previous,
                        revision=number,
                    )
            except IntegrityError:  # SQLite has no build lock: another build got in first
                continue
        current = created or previous
        RegistryRevision.load()
        RegistryRevision.objects.filter(pk=1).update(
            exported=number, snapshot=current, file_sha256=current.file_sha256,
            valid_until=valid_until)
        return created
    return None


def build_export(*, cause: str, today: dt.date | None = None) -> ExportSnapshot | None:
    """A new snapshot of every format, only when the content changed (SPEC §8); either way
    the served files are then current for the registry as it stood when the build began.
    Builds run one at a time: on PostgreSQL under an advisory lock held to the end of the
    build's transaction (SQLite has one writer at a time, and a snapshot has one successor
    at most, so two builds there never fork the history)."""
    with transaction.atomic(), acting_as(None):
        job_lock("build_export")
        return _build(cause=cause, today=today)


def _stale_cause(state: ExportState) -> str:
    if state.snapshot_id is None:
        return "first export"
    if state.exported >= state.number:
        return "an approval in it passed its expiry"
    more = state.number - state.exported - 1
    return (state.cause or "registry changed") + (
        f" (and {more} earlier change{'s' if more != 1 else ''})" if more > 0 else "")


def current_export(today: dt.date | None = None) -> ExportState:
    """The export state to serve from, never older than the committed registry (the one
    staleness rule: `registry.models.is_current`). When it is behind (a change whose build
    is still queued, or could not be queued; an approval past its expiry), the files are
    built here and now. Readers who arrive during a build wait for that build under its
    lock and then find it done, rather than each starting their own."""
    state = export_state()
    if state.is_current(today):
        return state
    with transaction.atomic(), acting_as(None):
        job_lock("build_export")
        state = export_state()  # someone may have built it while this one waited
        if not state.is_current(today):
            _build(cause=_stale_cause(state), today=today)
    return export_state()


# The bytes of the files served lately, by content hash and encoding: a hash names one
# content for ever, so an entry is never stale, only dropped when newer files come.
_bodies: dict[tuple[str, bool], bytes] = {}
_BODIES_KEPT = 2 * len(ExportSnapshot.FILES)


def export_file_bytes(state: ExportState, filename: str, *, gzip_: bool) -> bytes:
    """The bytes of one file of the current snapshot (`state`, from `current_export`), as
    stored, gzipped when `gzip_`: read once per process and content, then from memory."""
    key = (state.file_sha256[filename], gzip_)
    body = _bodies.get(key)
    if body is None:
        column = (ExportSnapshot.GZIP_COLUMNS if gzip_ else ExportSnapshot.COLUMNS)[filename]
        stored = ExportSnapshot.objects.values_list(column, flat=True).get(pk=state.snapshot_id)
        if gzip_:
            body = bytes(stored) or gzipped(
                ExportSnapshot.objects.values_list(ExportSnapshot.COLUMNS[filename], flat=True)
                .get(pk=state.snapshot_id))
        else:
            body = stored.encode()
        while len(_bodies) >= _BODIES_KEPT:
            _bodies.pop(next(iter(_bodies)))
        _bodies[key] = body
    return body


def fresh_snapshot(today: dt.date | None = None) -> ExportSnapshot:
    """The snapshot the files are served from, rebuilt first if it is behind."""
    return ExportSnapshot.objects.get(pk=current_export(today).snapshot_id)
