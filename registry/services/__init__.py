"""Changes of the registry: approvals recorded, expired and revoked; export snapshots built.
Every one runs in one transaction and names its actor.

`revision` (the registry revision every change bumps), `lifecycle` (an approval made active,
recorded, expired, revoked; a server entry's checks) and `exports` (the files built and
served). Callers use the names below: `from registry import services`.
"""

from .exports import (
    build_export,
    current_export,
    diff_files,
    export_file_bytes,
    fresh_snapshot,
    render_files,
    snapshot_sha,
)
from .lifecycle import (
    activate,
    activate_many,
    check_server_fields,
    expire_due_approvals,
    record_approval,
    retire_approval,
    revoke_approval,
    set_approval_owner,
)
from .revision import POLICY_MODELS, connect_policy_signals, one_change, registry_changed

__all__ = [
    "POLICY_MODELS", "activate", "activate_many", "build_export", "check_server_fields",
    "connect_policy_signals",
    "current_export", "diff_files", "expire_due_approvals", "export_file_bytes",
    "fresh_snapshot", "one_change", "record_approval", "registry_changed", "render_files",
    "retire_approval", "revoke_approval", "set_approval_owner", "snapshot_sha",
]
