"""Exceptions: one class per stable error code of the Rust core.

Every failure the core reports is ``{"code", "message", "field"?, "details"?}``; ``raise_for``
turns it into the class registered for its code (``DuctapeError`` itself for a code this
version does not know yet, so a newer core never breaks an older binding).
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "DuctapeError",
    "InvalidArgumentError",
    "UnknownOperationError",
    "NotFoundError",
    "ConflictError",
    "PermissionDeniedError",
    "FailedPreconditionError",
    "UnsupportedError",
    "LimitExceededError",
    "AtlasUnauthorizedError",
    "AtlasForbiddenIpError",
    "AtlasMissingRoleError",
    "AtlasError",
    "NetworkError",
    "DuctapeTimeoutError",
    "RateLimitedError",
    "WorkspaceError",
    "CallCancelledError",
    "InternalError",
    "ERROR_CLASSES",
    "error_from",
]


class DuctapeError(Exception):
    """Base class of every Ductape error. ``code`` is the core's stable error code."""

    code: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        field: Optional[str] = None,
        details: Optional[Any] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidArgumentError(DuctapeError, ValueError):
    code = "invalid_argument"


class UnknownOperationError(DuctapeError):
    code = "unknown_operation"


class NotFoundError(DuctapeError, LookupError):
    code = "not_found"


class ConflictError(DuctapeError):
    code = "conflict"


class PermissionDeniedError(DuctapeError, PermissionError):
    """A secret exists but this app or environment may not use it."""

    code = "permission_denied"


class FailedPreconditionError(DuctapeError):
    code = "failed_precondition"


class UnsupportedError(DuctapeError):
    code = "unsupported"


class LimitExceededError(DuctapeError):
    """An Atlas limit would be passed (e.g. 200 IP access-list entries); ``details`` says how many are needed and free."""

    code = "limit_exceeded"


class AtlasUnauthorizedError(DuctapeError):
    code = "atlas_unauthorized"


class AtlasForbiddenIpError(DuctapeError):
    code = "atlas_forbidden_ip"


class AtlasMissingRoleError(DuctapeError):
    code = "atlas_missing_role"


class AtlasError(DuctapeError):
    code = "atlas_error"


class NetworkError(DuctapeError, ConnectionError):
    code = "network"


class DuctapeTimeoutError(DuctapeError, TimeoutError):
    code = "timeout"


class RateLimitedError(DuctapeError):
    code = "rate_limited"


class WorkspaceError(DuctapeError):
    code = "workspace"


class CallCancelledError(DuctapeError):
    code = "cancelled"


class InternalError(DuctapeError):
    """An internal failure, including a panic inside the Rust core (the interpreter survives)."""

    code = "internal"


ERROR_CLASSES: Dict[str, Type[DuctapeError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        UnknownOperationError,
        NotFoundError,
        ConflictError,
        PermissionDeniedError,
        FailedPreconditionError,
        UnsupportedError,
        LimitExceededError,
        AtlasUnauthorizedError,
        AtlasForbiddenIpError,
        AtlasMissingRoleError,
        AtlasError,
        NetworkError,
        DuctapeTimeoutError,
        RateLimitedError,
        WorkspaceError,
        CallCancelledError,
        InternalError,
    )
}


def error_from(error: Mapping[str, Any]) -> DuctapeError:
    """Builds the exception for an envelope's ``error`` object."""
    code = str(error.get("code", "internal"))
    cls = ERROR_CLASSES.get(code, DuctapeError)
    return cls(
        str(error.get("message", "")),
        code=code,
        field=error.get("field"),
        details=error.get("details"),
    )
