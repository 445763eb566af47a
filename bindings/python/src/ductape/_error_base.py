"""``DuctapeError``, the base of the exception class per error code that ``cargo xtask codegen``
writes into ``errors.py`` (where it is exported from)."""
from typing import Any, Optional


class DuctapeError(Exception):
    """Base class of every Ductape error. ``code`` is the core's stable error code."""

    # Shown (and pickled) as ``ductape.errors.DuctapeError``, the name it is exported under.
    __module__ = "ductape.errors"

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
