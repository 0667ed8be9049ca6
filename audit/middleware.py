"""django-auditlog's middleware, with the client's address and port as the portal knows
them: the address the throttles and the sign-in lockout see (REMOTE_ADDR, or behind
PROXY_COUNT proxies the one the outermost proxy saw: accounts.throttles.client_address),
never the first X-Forwarded-For entry a client can write itself; an address or a port that
is not one is left out, so a header cannot make an audited write fail (a 500) or put a
chosen address in the trail."""

import ipaddress

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings

from accounts.throttles import client_address


class ClientAuditlogMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        try:
            return str(ipaddress.ip_address((client_address(request) or "").strip()))
        except ValueError:
            return None

    @staticmethod
    def _get_remote_port(request):
        """The port the outermost proxy says the client used; none without a proxy."""
        if not settings.REST_FRAMEWORK.get("NUM_PROXIES"):
            return None
        port = request.headers.get("X-Forwarded-Port", "").strip()
        return int(port) if port.isascii() and port.isdigit() and int(port) <= 65535 else None
