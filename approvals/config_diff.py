"""A request's config beside the one it changes, for the request page: a bump or renewal
against the active approval of its server, and a resubmitted request against its config
before the last edit. Added and removed args and env or header names are marked. Configs hold
placeholders (${VAR}) only, and the earlier config of an edit comes from the audit trail, where
values that are not placeholders are masked."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from auditlog.models import LogEntry

from audit.registration import mask_config
from registry.models import Approval

SAME, ADDED, REMOVED, CHANGED, BLANK = "same", "added", "removed", "changed", "blank"
FIRST = ("type", "command", "url", "args", "env", "headers")


@dataclass
class Line:
    text: str
    state: str = SAME


@dataclass
class Row:
    key: str
    left: list[Line] = field(default_factory=list)
    right: list[Line] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(line.state != SAME for line in self.left + self.right)


@dataclass
class Comparison:
    title: str
    left_label: str
    right_label: str
    rows: list[Row]

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _list_row(key, old: list, new: list) -> Row:
    row = Row(key)
    old_t, new_t = [_text(v) for v in old], [_text(v) for v in new]
    matcher = difflib.SequenceMatcher(a=old_t, b=new_t, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            row.left += [Line(t) for t in old_t[a1:a2]]
            row.right += [Line(t) for t in new_t[b1:b2]]
            continue
        left = [Line(t, REMOVED) for t in old_t[a1:a2]]
        right = [Line(t, ADDED) for t in new_t[b1:b2]]
        width = max(len(left), len(right))  # the two sides stay level
        row.left += left + [Line("", BLANK)] * (width - len(left))
        row.right += right + [Line("", BLANK)] * (width - len(right))
    return row


def _dict_row(key, old: dict, new: dict) -> Row:
    row = Row(key)
    for name in sorted(set(old) | set(new)):
        if name not in new:
            row.left.append(Line(f"{name}={_text(old[name])}", REMOVED))
            row.right.append(Line("", BLANK))
        elif name not in old:
            row.left.append(Line("", BLANK))
            row.right.append(Line(f"{name}={_text(new[name])}", ADDED))
        else:
            state = SAME if old[name] == new[name] else CHANGED
            row.left.append(Line(f"{name}={_text(old[name])}", state))
            row.right.append(Line(f"{name}={_text(new[name])}", state))
    return row


def side_by_side(old: dict, new: dict) -> list[Row]:
    """One row per key of either config, its lines level on both sides."""
    keys = [k for k in FIRST if k in old or k in new]
    keys += sorted((set(old) | set(new)) - set(FIRST))
    rows = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, list | type(None)) and isinstance(b, list | type(None)) and (a or b):
            rows.append(_list_row(key, a or [], b or []))
        elif isinstance(a, dict | type(None)) and isinstance(b, dict | type(None)) and (a or b):
            rows.append(_dict_row(key, a or {}, b or {}))
        else:
            state = SAME if a == b else CHANGED
            rows.append(Row(key, [Line("" if a is None else _text(a),
                                       REMOVED if b is None else state)],
                            [Line("" if b is None else _text(b),
                                  ADDED if a is None else state)]))
    return rows


def _before_last_edit(req) -> dict | None:
    """The config before the requester last changed it (the audit trail keeps it)."""
    for changes in LogEntry.objects.get_for_object(req).filter(
            action=LogEntry.Action.UPDATE).order_by("-timestamp", "-id").values_list(
            "changes", flat=True):
        changes = json.loads(changes) if isinstance(changes, str) else changes or {}
        if "config" in changes:
            try:
                before = json.loads(changes["config"][0])
            except (TypeError, ValueError):
                return None
            return before if isinstance(before, dict) else None
    return None


def comparisons(req) -> list[Comparison]:
    """What the request page sets beside the proposed config."""
    found = []
    base = req.base_approval or (Approval.objects.filter(
        server_id=req.server_id, status=Approval.Status.ACTIVE).first()
        if req.kind != "new_server" else None)
    if base is not None:
        found.append(Comparison(
            f"Against the approved {base.version}", f"Approved {base.version}",
            f"This request ({req.version})", side_by_side(base.config or {}, req.config or {})))
    before = _before_last_edit(req)
    if before is not None:
        now = json.loads(mask_config(json.dumps(req.config or {})))  # masked alike
        found.append(Comparison("Since the last edit", "Before the last edit", "Now",
                                side_by_side(before, now)))
    return found
