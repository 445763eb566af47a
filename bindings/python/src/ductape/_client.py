"""The Python clients: a few lines over the native library's generic ``call``.

No product logic lives here. ``Ductape.call(op, params)`` sends JSON to the Rust core and
decodes the reply envelope. The namespaces and their typed methods (``client.cloud.connections``)
are generated from the operation registry into ``_ops.py`` (``cargo xtask codegen``); they only
build the operation name and the JSON object. Any other dotted name forwards, so a core operation
is reachable before this package has its method, e.g. ``ductape.cloud.network.sync({"tag": "prod_atlas"})``.
"""
from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import sys
import weakref
from typing import Any, Awaitable, Callable, List, Mapping, Optional, Union

from . import _native
from ._namespace import JsonObject, Namespace, Progress
from ._ops import AsyncDuctapeNamespaces, DuctapeNamespaces
from .errors import error_from

__all__ = [
    "Ductape", "AsyncDuctape", "Namespace", "decode_envelope", "operations", "describe", "alive_tasks",
    "async_calls_in_flight",
]

# The blocking path goes through the library's `ductape_*` C ABI (include/ductape.h) on the very
# library uniffi loaded: one ctypes call in and one out, where uniffi's generated call makes about
# five (a buffer per argument, the call, freeing the reply) and costs ~20 us more per call.
# dlopen of the same file answers the library already loaded: one copy, one core.
def _library_file() -> str:
    """The native library beside the uniffi module, by this platform's name for it (the name
    uniffi's own loader uses too): the package then works wherever a library for it is built."""
    if sys.platform == "darwin":
        name = "libductape_ffi.dylib"
    elif sys.platform == "win32":
        name = "ductape_ffi.dll"
    else:
        name = "libductape_ffi.so"
    return os.path.join(os.path.dirname(os.path.abspath(_native.__file__)), name)


_LIB = ctypes.CDLL(_library_file())
_LIB.ductape_call.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                              ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t))
_LIB.ductape_call.restype = ctypes.c_void_p
_LIB.ductape_reply_free.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
_LIB.ductape_reply_free.restype = None
_LIB.ductape_handle_release.argtypes = (ctypes.c_void_p,)
_LIB.ductape_handle_release.restype = None


def _call_blocking(handle: int, operation: str, request: str) -> str:
    """``ductape_call`` (ctypes releases the GIL for the call, so threads run calls in parallel)."""
    op, body = operation.encode(), request.encode()
    size = ctypes.c_size_t()
    reply = _LIB.ductape_call(handle, op, len(op), body, len(body), ctypes.byref(size))
    try:
        return ctypes.string_at(reply, size.value).decode()
    finally:
        _LIB.ductape_reply_free(reply, size.value)


#: ``json.dumps`` with its default arguments, without the call's argument checks (~0.4 us a call):
#: an encoder with the same defaults, so the same text and the same errors.
_ENCODE = json.JSONEncoder().encode

#: The core's warnings (e.g. ``atlas_api_deprecated``) arrive here, one record per warning.
LOGGER = logging.getLogger("ductape")


class _ProgressBridge(_native.ProgressListener):
    """A progress callable as uniffi's callback: the event's JSON decoded to a dict. It runs on the
    thread the call runs on (the caller's for a blocking call, a native runtime thread for an
    asyncio one) and must return quickly. One that raises is logged once and not called again for
    that call (an exception must not cross into Rust); the call carries on."""

    def __init__(self, callback: Callable[[JsonObject], Any]) -> None:
        self._callback = callback
        self._broken = False

    def on_progress(self, event_json: str) -> None:
        if self._broken:
            return
        try:
            self._callback(json.loads(event_json))
        except BaseException:  # noqa: BLE001 - nothing may cross into Rust
            self._broken = True
            LOGGER.warning("a progress callback raised; no more events for this call", exc_info=True)


def decode_envelope(reply: str) -> Any:
    """Answers the ``result`` of an envelope or raises the exception for its error code; logs
    the call's warnings (``ductape`` logger, level WARNING, ``extra={"ductape_warning": {...}}``)."""
    envelope = json.loads(reply)
    for warning in envelope.get("warnings") or ():
        LOGGER.warning("%s: %s", warning.get("code"), warning.get("message"), extra={"ductape_warning": warning})
    if envelope.get("ok"):
        return envelope.get("result")
    raise error_from(envelope.get("error") or {})


_EXIT_HOOK_INSTALLED = False


def _install_exit_hook() -> None:
    """Before the interpreter shuts down, stop the native library's async completions and wait
    for any in progress: a foreign thread entering CPython during finalization aborts the process
    (uniffi delivers async completions from the core's runtime threads)."""
    global _EXIT_HOOK_INSTALLED
    if not _EXIT_HOOK_INSTALLED:
        _EXIT_HOOK_INSTALLED = True
        atexit.register(_native.prepare_for_exit, 2000)


def _options_json(options: Optional[Mapping[str, Any]], kwargs: Mapping[str, Any]) -> str:
    merged: JsonObject = dict(options or {})
    merged.update({key: value for key, value in kwargs.items() if value is not None})
    # Paths become text; every other value goes to the core as given (it checks the types).
    return json.dumps({k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in merged.items()})


def _open(options_json: str) -> "_native.DuctapeClient":
    try:
        return _native.DuctapeClient(options_json)
    except _native.DuctapeError.Failure as e:  # type: ignore[attr-defined]  # the constructor's only typed FFI error
        raise error_from({"code": e.code, "message": e.detail, "field": e.field}) from None


class _Base:
    def __init__(
        self,
        options: Optional[Mapping[str, Any]] = None,
        *,
        workspace_dir: Union[str, "os.PathLike[str]", None] = None,
        atlas_base_url: Optional[str] = None,
        request_timeout_ms: Optional[int] = None,
        connect_timeout_ms: Optional[int] = None,
        max_retries: Optional[int] = None,
        retry_base_delay_ms: Optional[int] = None,
        workspace_key: Optional[str] = None,
        workspace_key_file: Union[str, "os.PathLike[str]", None] = None,
        workspace_url: Optional[str] = None,
        max_response_bytes: Optional[int] = None,
        ca_file: Union[str, "os.PathLike[str]", None] = None,
        tls_roots: Optional[str] = None,
        cluster_ca_file: Union[str, "os.PathLike[str]", None] = None,
        debug_operations: Optional[bool] = None,
    ) -> None:
        """Options as ``docs/operations.md`` lists them, as keyword arguments or in ``options``
        (their JSON names); ``describe()["options"]`` has them too. ``workspace_key`` is the
        base64 of 32 bytes (default ``$DUCTAPE_WORKSPACE_KEY``, else the workspace's key file);
        ``ca_file`` a PEM file of extra CA certificates (default ``$DUCTAPE_CA_FILE``), ``tls_roots``
        ``"bundled"`` (default) or ``"system"``; ``cluster_ca_file`` the CA file that verifying a
        cluster's string trusts instead of the public roots (default ``$DUCTAPE_CLUSTER_CA_FILE``)."""
        client = _open(
            _options_json(
                options,
                {
                    "workspace_dir": workspace_dir,
                    "atlas_base_url": atlas_base_url,
                    "request_timeout_ms": request_timeout_ms,
                    "connect_timeout_ms": connect_timeout_ms,
                    "max_retries": max_retries,
                    "retry_base_delay_ms": retry_base_delay_ms,
                    "workspace_key": workspace_key,
                    "workspace_key_file": workspace_key_file,
                    "workspace_url": workspace_url,
                    "max_response_bytes": max_response_bytes,
                    "ca_file": ca_file,
                    "tls_roots": tls_roots,
                    "cluster_ca_file": cluster_ca_file,
                    "debug_operations": debug_operations,
                },
            )
        )
        self._client: Optional[_native.DuctapeClient] = client
        # A C ABI handle on the same core for the blocking path; released when this object is
        # collected, not by close(), which a call on another thread may race: the handle must
        # outlive every call that uses it.
        self._handle: int = client.native_handle()
        release = weakref.finalize(self, _LIB.ductape_handle_release, self._handle)
        # Not at interpreter exit: the process's end frees it, and a native call from a finalizer
        # while CPython shuts down (async calls may still be running) is a crash, not a cleanup.
        release.atexit = False

    def operations(self) -> List[str]:
        """Every operation name the core knows."""
        return operations()

    def close(self) -> None:
        """Releases the native handle now (it is also released when garbage-collected)."""
        self._client = None

    def _require_open(self) -> "_native.DuctapeClient":
        # A call that already holds the native handle finishes even if close() runs meanwhile:
        # the handle lives as long as any reference to it.
        client = self._client
        if client is None:
            raise error_from({"code": "failed_precondition", "message": "the client is closed"})
        return client


class Ductape(_Base, DuctapeNamespaces):
    """Blocking client. Thread-safe: share one instance between threads. Its namespaces
    (``cloud``, ``products``, ``secrets``, ``workspace``) come from ``DuctapeNamespaces`` (``_ops.py``).

    >>> ductape = Ductape(workspace_dir="/tmp/ws", atlas_base_url="http://127.0.0.1:8080")
    >>> ductape.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    """

    def call(self, operation: str, params: Any = None, *, progress: Progress = None) -> Any:
        """Runs any core operation; answers its result or raises the error code's exception.
        ``progress`` (a callable) receives the call's progress events on this thread while it runs;
        such a call goes through uniffi's ``call_with_progress`` instead of the C ABI."""
        client = self._require_open()
        request = _ENCODE({} if params is None else params)
        if progress is not None:
            _install_exit_hook()
            return decode_envelope(client.call_with_progress(operation, request, _ProgressBridge(progress)))
        return decode_envelope(_call_blocking(self._handle, operation, request))

    def __getattr__(self, name: str) -> Namespace[Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return Namespace(self.call, name)

    def __enter__(self) -> "Ductape":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncDuctape(_Base, AsyncDuctapeNamespaces):
    """asyncio client: every method answers an awaitable. Cancelling the asyncio task
    cancels the Rust task. Its namespaces come from ``AsyncDuctapeNamespaces`` (``_ops.py``).

    >>> await AsyncDuctape(...).cloud.connections.validate("prod_atlas")
    """

    async def call(self, operation: str, params: Any = None, *, progress: Progress = None) -> Any:
        """``progress`` (a callable) receives the call's progress events, on a native runtime thread
        (use ``loop.call_soon_threadsafe`` to reach the event loop)."""
        _install_exit_hook()
        request = _ENCODE({} if params is None else params)
        client = self._require_open()
        if progress is not None:
            reply = await client.call_async_with_progress(operation, request, _ProgressBridge(progress))
        else:
            reply = await client.call_async(operation, request)
        return decode_envelope(reply)

    def __getattr__(self, name: str) -> Namespace[Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        return Namespace(self.call, name)

    async def __aenter__(self) -> "AsyncDuctape":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()


def operations() -> List[str]:
    """Every operation name the core knows (without a client, so it cannot fail)."""
    return list(_native.operation_names())


def describe() -> JsonObject:
    """The native library's description: every operation (request and reply JSON Schemas, secret
    fields), the error codes and the options, as in ``docs/operations.json``."""
    description: JsonObject = json.loads(_native.describe())
    return description


def alive_tasks() -> int:
    """Tasks alive on the core's runtime (for tests of cancellation)."""
    return int(_native.debug_alive_tasks())


def async_calls_in_flight() -> int:
    """Async calls whose native future still exists (for tests of cancellation)."""
    return int(_native.debug_async_calls_in_flight())
