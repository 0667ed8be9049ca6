"""The file formats of SPEC §6 as pure functions: plain records in, text out, and the
registry YAML parsed into validated records with every problem located by entry and field.

One module per file or step: `records` (the dataclasses and the registry YAML's keys),
`registry_yaml` (writing mcp-registry.yaml, through `yaml_emitter`), `claude_code`
(managed-mcp.json and managed-settings.json), `export_files` (the three written in one pass
over the approvals, for a registry of any size), `yaml_loading` (the safe load),
`validation` (reading a registry YAML back) and `server_json` (the MCP Registry API's
documents, SPEC §6.4: import the module itself). Callers use the names below:
`from registry import formats`.
"""

from .claude_code import (
    CLIENT_SERVER_NAME,
    Pinned,
    allow_entry,
    client_matches,
    denylist,
    deployable,
    dump_json,
    managed_mcp,
    managed_settings,
    url_is_pattern,
)
from .export_files import ExportFiles, json_file
from .records import (
    BUMP_KEYS,
    INCIDENT_KEYS,
    METADATA_KEYS,
    PACKAGE_KEYS,
    PACKAGE_REGISTRY_OF_KEY,
    PENDING_STATUSES,
    PLACEHOLDER_DATE,
    SECTIONS,
    ApprovedEntry,
    DeniedEntry,
    PendingEntry,
    Registry,
)
from .registry_yaml import (
    HEADER,
    approved_record,
    denied_record,
    document_parts,
    dump_registry_yaml,
    pending_record,
    registry_document,
)
from .validation import parse_registry
from .yaml_emitter import ListWriter, list_of_mappings, to_yaml
from .yaml_loading import MAX_VALUES, FastSafeLoader

__all__ = [
    "BUMP_KEYS", "CLIENT_SERVER_NAME", "HEADER", "INCIDENT_KEYS", "MAX_VALUES", "METADATA_KEYS",
    "PACKAGE_KEYS", "PACKAGE_REGISTRY_OF_KEY", "PENDING_STATUSES", "PLACEHOLDER_DATE",
    "SECTIONS", "ApprovedEntry", "DeniedEntry", "ExportFiles", "FastSafeLoader", "ListWriter",
    "PendingEntry", "Pinned", "Registry", "allow_entry", "approved_record", "client_matches",
    "denied_record", "denylist", "deployable", "document_parts", "dump_json",
    "dump_registry_yaml", "json_file", "list_of_mappings", "managed_mcp", "managed_settings",
    "parse_registry", "pending_record", "registry_document", "to_yaml", "url_is_pattern",
]
