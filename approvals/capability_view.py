"""A request's capabilities as the reviewer reads them (issue 14): the inspection's
outcome, each tool with its annotations, the read-only marks and tool-poisoning signs,
and for a bump or renewal the change against the approved version's inspection."""

from __future__ import annotations

from governance.policy import capabilities

from .models import Inspection, InspectionStatus, RequestKind
from .services.steps import inspection_of_approval

HINTS = (("readOnlyHint", "read-only"), ("destructiveHint", "destructive"),
         ("idempotentHint", "idempotent"), ("openWorldHint", "open world"))


def _tool_rows(tools: list[dict], added: set[str], changed: dict[str, tuple]) -> list[dict]:
    rows = []
    for tool in tools:
        hints = capabilities.annotations_of(tool)
        rows.append({
            "name": tool.get("name", ""), "description": tool.get("description", ""),
            "schema": tool.get("input_schema") or {},
            "hints": [(label, hints[key]) for key, label in HINTS if key in hints],
            "marks": capabilities.read_only_marks(tool),
            "signs": capabilities.poisoning_signs(capabilities.tool_text(tool)),
            "added": tool.get("name") in added,
            "changed": changed.get(tool.get("name"), ()),
        })
    return rows


def capability_view(req) -> dict | None:
    """What the request page shows, or None when the request has no inspection."""
    inspection = Inspection.objects.filter(request=req).first()
    if inspection is None:
        return None
    base = None
    if req.kind != RequestKind.NEW_SERVER and req.base_approval_id:
        base = inspection_of_approval(req.base_approval)
    done = inspection.status == InspectionStatus.DONE
    compared = done and base is not None and base.status == InspectionStatus.DONE
    change = capabilities.diff_tools(base.tools, inspection.tools) if compared else None
    added = set(change.added) if change else set()
    changed = {c.name: c.what for c in change.changed} if change else {}
    tools = _tool_rows(inspection.tools if done else [], added, changed)
    return {
        "inspection": inspection, "base": base, "compared": compared, "change": change,
        "tools": tools,
        "flagged": sum(1 for t in tools if t["marks"] or t["signs"]),
        "removed": list(change.removed) if change else [],
    }
