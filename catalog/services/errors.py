"""Named domain errors. Each carries a message a user can read (already translated, lazily)."""


class DomainError(Exception):
    """A rule refused the action; `message` is safe to show to the user."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class ValidationFailed(DomainError):
    pass


class OutOfStock(DomainError):
    variant_id: int | None = None  # the variant that ran out, when known


class BudgetExceeded(DomainError):
    pass
