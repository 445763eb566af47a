"""What the generated namespaces (``_ops.py``, written by ``cargo xtask codegen``) stand on:
``Namespace``, a dotted operation prefix whose every attribute forwards to the core, and the
helpers that turn a typed method's arguments into the request object.
"""
from typing import Any, Callable, Dict, Generic, Mapping, Optional, TypeVar

JsonObject = Dict[str, Any]
Params = Optional[Mapping[str, Any]]
R = TypeVar("R")
#: A progress callback: receives each event of a long call as a dict
#: ``{operation, step, done, total?, elapsed_ms, message?}``.
Progress = Optional[Callable[[JsonObject], Any]]


class Namespace(Generic[R]):
    """A dotted operation prefix. Any attribute is a sub-namespace or an operation:
    ``ns.sync(params)`` calls ``"<prefix>.sync"``. A trailing underscore is dropped so that
    Python keywords work (``import_`` -> ``import``)."""

    def __init__(self, caller: Callable[..., R], prefix: str) -> None:
        self._caller = caller
        self._prefix = prefix

    def __getattr__(self, name: str) -> "Namespace[R]":
        if name.startswith("__"):
            raise AttributeError(name)
        return Namespace(self._caller, f"{self._prefix}.{name.rstrip('_') or name}")

    def __call__(self, params: Params = None, *, progress: Progress = None, **fields: Any) -> R:
        """``ns.sync({...})`` or ``ns.sync(tag="x")``; ``progress=`` receives the call's progress events."""
        body: JsonObject = dict(params or {})
        body.update(fields)
        result: R = self._run(self._prefix, body, progress)
        return result

    def _run(self, operation: str, request: JsonObject, progress: Progress) -> Any:
        """Calls ``operation`` through the client's ``call``, passing ``progress`` only when given
        (so that a ``call`` overridden without that keyword still works for the other calls)."""
        if progress is None:
            return self._caller(operation, request)
        return self._caller(operation, request, progress=progress)

    def __repr__(self) -> str:
        return f"<ductape namespace {self._prefix!r}>"


def _object(params: Optional[Mapping[str, Any]]) -> JsonObject:
    """The request of ``create(params)``: a copy of ``params`` (``{}`` for None)."""
    return {} if params is None else dict(params)


def _positional(name: str, value: str, params: Optional[Mapping[str, Any]]) -> JsonObject:
    """The positional form ``{name: value, "params": params}`` of ``complete(tag, params)``,
    ``update(key, params)`` and the like. The core merges it and refuses a different ``name``
    inside ``params`` (it once won silently and changed the other connection), the same in every
    language."""
    return {name: value, "params": {} if params is None else dict(params)}


def _fields(required: JsonObject, optional: JsonObject) -> JsonObject:
    """The request of a method that takes each field as an argument: the required ones as given,
    the optional ones left out when None (the core then applies its default)."""
    required.update((key, value) for key, value in optional.items() if value is not None)
    return required
