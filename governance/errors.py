"""Errors the service layer raises; every entry point turns them into its own answer
(a form error, a JSON body with 400/403/409, a command's message)."""


class ServiceError(Exception):
    """`message` and `errors` are for people; `link` is a page to open about it; `conflict`
    names what the refusal conflicts with as data ({"request_id": 12}), so that no caller
    ever has to read an id back out of a sentence."""

    status_code = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, link: str = "",
                 conflict: dict[str, int] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = {key: list(value) for key, value in (errors or {}).items()}
        self.link = link
        self.conflict = dict(conflict or {})

    def __str__(self):
        if not self.errors:
            return self.message
        lines = [self.message]
        for key, messages in self.errors.items():
            lines.extend(f"  {key}: {message}" for message in messages)
        return "\n".join(lines)


class InvalidInput(ServiceError):
    """The input breaks a rule; nothing was changed."""

    status_code = 400


class NotAllowed(ServiceError):
    """The actor's roles do not allow this action."""

    status_code = 403


class Conflict(ServiceError):
    """The object's state does not allow this action (a decided request, a second sign-off)."""

    status_code = 409


class Errors:
    """Collects problems by field so that one answer names all of them."""

    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str | None):
        if message:
            self.by_field.setdefault(field, []).append(message)

    def merge(self, problems: dict[str, list[str]]):
        for key, messages in problems.items():
            for message in messages:
                self.add(key, message)

    def __bool__(self):
        return bool(self.by_field)

    def raise_if_any(self, message="The request breaks the rules below; nothing was saved."):
        if self.by_field:
            raise InvalidInput(message, self.by_field)
