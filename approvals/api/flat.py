"""The requests list written flat: a page of 500 read as plain rows in one query and
written as dicts, with the fields and formats of RequestListSerializer (which documents
them and serves one request): a model instance and DRF's get_attribute per field and row
cost ten times the query."""

from governance.api.fields import datetime_writer

from ..models import OPEN_STATUSES

# The column each field of the list reads; is_overdue is worked out.
REQUEST_COLUMNS = {"server": "server__name", "requester": "requester__username",
                   "reviewer": "reviewer__username"}
DATETIMES = ("requested_at", "expected_decision", "decided_at")
_OPEN = {s.value for s in OPEN_STATUSES}


def request_columns(fields) -> list[str]:
    return [REQUEST_COLUMNS.get(f, f) for f in fields if f != "is_overdue"]


def request_rows(page, *, fields, now) -> list[dict]:
    """Rows of `request_columns(fields)` as the list answers them, fields in order."""
    write = datetime_writer()
    read = [f for f in fields if f != "is_overdue"]
    rows = []
    for values in page:
        row = dict(zip(read, values, strict=True))
        row["is_overdue"] = row["status"] in _OPEN and row["expected_decision"] < now
        for name in DATETIMES:
            if row.get(name) is not None:
                row[name] = write(row[name])
        rows.append({name: row[name] for name in fields})
    return rows
