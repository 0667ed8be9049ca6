"""Rate limits of the API (SPEC §10), counted in the cache that every worker and web node
shares (CACHE_URL): per user for the hook and pipelines, per address for anonymous calls
and for failed tokens. A throttled call answers 429 with Retry-After."""

import hashlib
import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's address as the throttles and the sign-in lockout see it: REMOTE_ADDR, or
    behind PROXY_COUNT proxies (settings.REST_FRAMEWORK["NUM_PROXIES"]), the address that
    the outermost proxy saw, read from X-Forwarded-For (the client cannot choose it)."""
    return BaseThrottle().get_ident(request)


class SharedRateThrottle(SimpleRateThrottle):
    """Reads its rate when used (so a changed setting applies), and lets a call through when
    the cache cannot be reached: the API keeps working while Redis is down, as filing and
    deciding do without the broker."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("throttle %s: the cache cannot be reached; call let through",
                           self.scope, exc_info=True)
            return True


class UserThrottle(SharedRateThrottle, UserRateThrottle):
    scope = "user"


class AnonThrottle(SharedRateThrottle, AnonRateThrottle):
    scope = "anon"


class FailedTokenThrottle(SharedRateThrottle):
    """Token guesses per client address: each distinct wrong key counts once. An address
    past the limit is refused before its token is looked at, so that guessing learns
    nothing more until the wait is over. A good token never counts, and neither does the
    same wrong key sent again: a hook or pipeline whose token was revoked or has expired
    keeps hearing 401 ("revoked", "expired"), not 429 ("busy")."""

    scope = "failed_token"
    detail = "Too many failed token attempts from your address."

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def _load(self, request) -> bool:
        """The address's recent failures as [[time, fingerprint], ...], newest first."""
        if self.rate is None:
            return False
        try:
            self.key = self.get_cache_key(request)
            self.history = self.cache.get(self.key, [])
        except Exception:
            logger.warning("throttle %s: the cache cannot be reached", self.scope,
                           exc_info=True)
            return False
        self.now = self.timer()
        self.history = [entry for entry in self.history if entry[0] > self.now - self.duration]
        return True

    def seconds_locked(self, request) -> float | None:
        """How long this address must wait before its next token is looked at, or None."""
        if self._load(request) and len(self.history) >= self.num_requests:
            return max(self.duration - (self.now - self.history[-1][0]), 1)
        return None

    def record_failure(self, request, presented: bytes) -> None:
        if not self._load(request):
            return
        fingerprint = hashlib.sha256(presented).hexdigest()[:16]
        if any(entry[1] == fingerprint for entry in self.history):
            return
        self.history.insert(0, [self.now, fingerprint])
        try:
            self.cache.set(self.key, self.history, self.duration)
        except Exception:
            logger.warning("throttle %s: the cache cannot be reached", self.scope,
                           exc_info=True)
