"""Liveness and readiness for the load balancer and the container health checks (SPEC §7).

/healthz says the process answers; it touches nothing else. /readyz says the process can
serve: the database answers and, when a broker is configured, the broker accepts a
connection. Both are plain JSON, need no session and are exempt from the HTTPS redirect."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from governance.celery import app


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    if app.conf.task_always_eager:
        return "in-process (no broker configured)"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


CHECKS = {"database": _check_database, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            state = check()
        except Exception as exc:  # report which dependency is down, never a 500
            state, ready = f"error: {exc.__class__.__name__}: {exc}"[:300], False
        results[name] = {"status": state,
                         "ms": round((time.monotonic() - started) * 1000, 1)}
    body = {"status": "ok" if ready else "unavailable", "checks": results,
            "debug": settings.DEBUG}
    return JsonResponse(body, status=200 if ready else 503)
