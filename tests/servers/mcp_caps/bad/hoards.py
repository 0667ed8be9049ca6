"""Writes files of 1 MiB into each folder it may write (/tmp, its home, its scratch
folder) until refused (at most 64 each), and looks for the portal's secrets in its
environment. Its one tool's description says `place=MiB` each, and `secrets=...`."""
import os

from raw import serve

found = []
for place in ("/tmp", os.path.expanduser("~"), "."):
    written = 0
    try:
        for number in range(64):
            with open(os.path.join(place, f"hoard-{number}"), "wb") as handle:
                handle.write(b"x" * (1024 * 1024))
            written += 1
    except OSError:
        pass
    found.append(f"{place}={written}")
leaked = [key for key in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL")
          if key in os.environ]
found.append(f"secrets={','.join(leaked) or 'none'}")
serve(lambda method, params: {"tools": [{"name": "probe", "description": " ".join(found),
                                         "inputSchema": {"type": "object"}}]})
