"""The Python facade: a few lines over the native library's generic ``call``.

No product logic lives here. ``Ductape.call(op, params)`` sends JSON to the Rust core and
decodes the reply envelope; the namespaces (``cloud.connections`` and any
other dotted name) only build the operation name and the JSON object. A new core operation is
reachable at once, e.g. ``ductape.cloud.network.sync({"tag": "prod_atlas"})``.
"""
from __future__ import annotations

import atexit
import ctypes
import json
import logging
import os
import weakref
from typing import Any, Awaitable, Callable, Dict, Generic, List, Mapping, Optional, TypeVar, Union

from . import _native
from .errors import error_from

__all__ = [
    "Ductape", "AsyncDuctape", "Namespace", "decode_envelope", "operations", "describe", "alive_tasks",
    "async_calls_in_flight",
]

JsonObject = Dict[str, Any]
Params = Optional[Mapping[str, Any]]
R = TypeVar("R")
#: A progress callback: receives each event of a long call as a dict
#: ``{operation, step, done, total?, elapsed_ms, message?}``.
Progress = Optional[Callable[[JsonObject], Any]]


# The blocking path goes through the library's `ductape_*` C ABI (include/ductape.h) on the very
# library uniffi loaded: one ctypes call in and one out, where uniffi's generated call makes about
# five (a buffer per argument, the call, freeing the reply) and costs ~20 us more per call.
# dlopen of the same file answers the library already loaded: one copy, one core.
_LIB = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(_native.__file__)), "libductape_ffi.so"))
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
    merged: Dict[str, Any] = dict(options or {})
    merged.update({key: value for key, value in kwargs.items() if value is not None})
    # Paths become text; every other value goes to the core as given (it checks the types).
    return json.dumps({k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in merged.items()})


def _open(options_json: str) -> "_native.DuctapeClient":
    try:
        return _native.DuctapeClient(options_json)
    except _native.DuctapeError.Failure as e:  # type: ignore[attr-defined]  # the constructor's only typed FFI error
        raise error_from({"code": e.code, "message": e.detail, "field": e.field}) from None


def _with_tag(tag: str, params: Params) -> JsonObject:
    """The positional form ``{"tag": tag, "params": params}`` of ``complete(tag, params)`` and
    ``update(tag, params)``. The core merges it and refuses a different ``"tag"`` inside ``params``
    (it once won silently and changed the other connection), the same in every language."""
    return _positional("tag", tag, params)


def _positional(name: str, value: str, params: Params) -> JsonObject:
    """``{name: value, "params": params}``: the same form for ``update(key, params)`` and the like."""
    return {name: value, "params": dict(params or {})}


def _given(**fields: Any) -> JsonObject:
    """The fields that are not None (optional arguments left out)."""
    return {k: v for k, v in fields.items() if v is not None}


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
        if progress is not None:
            return self._caller(self._prefix, body, progress=progress)
        return self._caller(self._prefix, body)

    def __repr__(self) -> str:
        return f"<ductape namespace {self._prefix!r}>"


class Connections(Namespace[R]):
    """``cloud.connections``: the Atlas connection lifecycle. Unlisted methods forward too."""

    def create(self, params: Mapping[str, Any]) -> R:
        """``{provider, name, scopes?, display_name?, description?}`` -> the new record (``pending``)."""
        return self._caller("cloud.connections.create", dict(params))

    def complete(self, tag: str, params: Mapping[str, Any]) -> R:
        """Stores credentials: ``{project_id, atlas_public_key?, atlas_private_key?, ...}``."""
        return self._caller("cloud.connections.complete", _with_tag(tag, params))

    def validate(self, tag: str) -> R:
        """Checks the credentials against Atlas -> ``{valid, status, message}``."""
        return self._caller("cloud.connections.validate", {"tag": tag})

    def fetch(self, tag: str) -> R:
        return self._caller("cloud.connections.fetch", {"tag": tag})

    def list(self, params: Params = None) -> R:
        """``{provider?, status?}`` filters."""
        return self._caller("cloud.connections.list", dict(params or {}))

    def update(self, tag: str, params: Mapping[str, Any]) -> R:
        return self._caller("cloud.connections.update", _with_tag(tag, params))

    def delete(self, tag: str) -> R:
        return self._caller("cloud.connections.delete", {"tag": tag})

    def updateManagedNetworking(self, tag: str, params: Mapping[str, Any]) -> R:  # noqa: N802 - the operation's name
        """Networking settings (``metadata.networking``): ``{mode?, include_ductape_proxy?, ductape_proxy_host?,
        ductape_proxy_addresses?, allowed_sources?: [{cidr, label, source}]}`` -> ``{tag, networking, synced_ips}``."""
        return self._caller("cloud.connections.updateManagedNetworking", _with_tag(tag, params))

    def resolveNetworkingHost(self, host: str) -> R:  # noqa: N802
        """A host's IPv4 and IPv6 addresses from DNS -> ``{host, addresses}``."""
        return self._caller("cloud.connections.resolveNetworkingHost", {"host": host})

    def syncNetworkAccess(self, tag: str, params: Params = None, *, progress: Progress = None) -> R:  # noqa: N802
        """Keeps the project's IP access list: ``{dry_run?, prune?, wait?, wait_timeout_ms?}`` ->
        ``{added, already_present, removed, pending, failed, drift, unwanted, synced_ips, ...}``;
        ``progress`` receives events (steps ``read_access_list``, ``add_entries``, ``wait_active``, ...)."""
        if progress is not None:
            return self._caller("cloud.connections.syncNetworkAccess", _with_tag(tag, params), progress=progress)
        return self._caller("cloud.connections.syncNetworkAccess", _with_tag(tag, params))

    def allowCurrentIp(self, tag: str, params: Params = None) -> R:  # noqa: N802
        """This machine's address for some hours: ``{hours?, comment?}`` -> ``{cidr, delete_after_date, added, ...}``."""
        return self._caller("cloud.connections.allowCurrentIp", _with_tag(tag, params))

    # PEP 8 names for the same methods.
    update_managed_networking = updateManagedNetworking
    resolve_networking_host = resolveNetworkingHost
    sync_network_access = syncNetworkAccess
    allow_current_ip = allowCurrentIp


class Secrets(Namespace[R]):
    """``secrets``: workspace secrets, referenced as ``$Secret{KEY}``. Records never carry a value."""

    def create(self, params: Mapping[str, Any]) -> R:
        """``{key, value, description?, scope?, envs?, expires_at?}`` -> the record (never the value)."""
        return self._caller("secrets.create", dict(params))

    def fetch_all(self, params: Params = None) -> R:
        """``{limit?, after?}`` -> ``{secrets, next_after}``; every record by key without ``limit``."""
        return self._caller("secrets.fetchAll", dict(params or {}))

    def fetch(self, key: str) -> R:
        """The record and its ``value``."""
        return self._caller("secrets.fetch", {"key": key})

    def update(self, key: str, params: Mapping[str, Any]) -> R:
        """A new ``value`` rotates it; ``None`` clears ``description``/``scope``/``envs``/``expires_at``."""
        return self._caller("secrets.update", _positional("key", key, params))

    def delete(self, key: str) -> R:
        return self._caller("secrets.delete", {"key": key})

    def revoke(self, key: str) -> R:
        return self._caller("secrets.revoke", {"key": key})

    def resolve(self, value: str, app: Optional[str] = None, env: Optional[str] = None) -> R:
        """``{value, references}``: every ``$Secret{KEY}`` in ``value`` resolved for ``app`` in ``env``."""
        return self._caller("secrets.resolve", _given(value=value, app=app, env=env))


class Environments(Namespace[R]):
    """``products.environments``: a product's environments (``dev``, ``stg``, ``prd``, ...)."""

    def create(self, params: Mapping[str, Any]) -> R:
        """``{product, slug, name?, description?}``."""
        return self._caller("products.environments.create", dict(params))

    def list(self, product: str) -> R:
        return self._caller("products.environments.list", {"product": product})

    def fetch(self, product: str, env: str) -> R:
        return self._caller("products.environments.fetch", {"product": product, "env": env})

    def update(self, params: Mapping[str, Any]) -> R:
        """``{product, env, name?, description?}``; the slug never changes."""
        return self._caller("products.environments.update", dict(params))

    def delete(self, product: str, env: str, force: bool = False) -> R:
        return self._caller("products.environments.delete", {"product": product, "env": env, "force": force})


class Components(Namespace[R]):
    """``products.components``: database components and their config per environment."""

    def create(self, params: Mapping[str, Any]) -> R:
        """``{product, tag, type, name?}`` with type ``mongodb``, ``postgresql``, ``mysql`` or ``dynamodb``."""
        return self._caller("products.components.create", dict(params))

    def fetch(self, product: str, component: str) -> R:
        return self._caller("products.components.fetch", {"product": product, "component": component})

    def list(self, product: str) -> R:
        return self._caller("products.components.list", {"product": product})

    def delete(self, product: str, component: str, force: bool = False) -> R:
        return self._caller("products.components.delete", {"product": product, "component": component, "force": force})

    def set_env(self, params: Mapping[str, Any]) -> R:
        """``{product, component, env, connection_url?, cloud?, instance?, auth_mode?}``; None clears."""
        return self._caller("products.components.setEnv", dict(params))

    def get_env(self, product: str, component: str, env: str) -> R:
        return self._caller("products.components.getEnv", {"product": product, "component": component, "env": env})

    def resolve(self, product: str, component: str, env: str, app: Optional[str] = None) -> R:
        """``{connection_url, references, cloud, instance, auth_mode}``: the application's read path."""
        return self._caller(
            "products.components.resolve", _given(product=product, component=component, env=env, app=app)
        )


class Products(Namespace[R]):
    """``products``: products with ``environments`` and ``components``."""

    def create(self, params: Mapping[str, Any]) -> R:
        """``{name, tag?, description?}``; the tag defaults to the name slugged (``my-product``)."""
        return self._caller("products.create", dict(params))

    def fetch(self, product: str) -> R:
        return self._caller("products.fetch", {"product": product})

    def list(self) -> R:
        return self._caller("products.list", {})

    def update(self, product: str, params: Mapping[str, Any]) -> R:
        return self._caller("products.update", _positional("product", product, params))

    def delete(self, product: str, force: bool = False) -> R:
        """Refused while component envs hold secrets, unless ``force`` (which deletes them too)."""
        return self._caller("products.delete", {"product": product, "force": force})

    @property
    def environments(self) -> Environments[R]:
        return Environments(self._caller, "products.environments")

    @property
    def components(self) -> Components[R]:
        return Components(self._caller, "products.components")


class Resources(Namespace[R]):
    """``cloud.resources``: the clusters of a connection's project, and importing one."""

    def services(self, cloud: str) -> R:
        return self._caller("cloud.resources.services", {"cloud": cloud})

    def list(self, cloud: str, service: str = "atlas-cluster") -> R:
        """``{resources: [{id, name, region, metadata}]}``: dedicated, free and flex clusters."""
        return self._caller("cloud.resources.list", {"cloud": cloud, "service": service})

    def import_(self, params: Mapping[str, Any]) -> R:
        """``{cloud, service, type, product, component, env, resource, role?, connection_type?, verify?}``:
        a cluster-scoped database user, its string stored as a secret, the env linked to it."""
        return self._caller("cloud.resources.import", dict(params))

    def unlink(self, params: Mapping[str, Any]) -> R:
        """``{cloud, product, component, env}``: deletes the database user, the secret and the link."""
        return self._caller("cloud.resources.unlink", dict(params))

    def verify(self, params: Mapping[str, Any]) -> R:
        """``{product, component, env, app?, timeout_ms?}``: connects with the stored string
        (MongoDB's driver) and runs ``ping``: ``{verified: True, server, attempts, elapsed_ms}``."""
        return self._caller("cloud.resources.verify", dict(params))


class Cloud(Namespace[R]):
    """``cloud``: ``connections``, and any other namespace by attribute (``cloud.resources.import_``
    reaches ``cloud.resources.import`` once the core has it: a trailing ``_`` is dropped)."""

    @property
    def connections(self) -> Connections[R]:
        return Connections(self._caller, "cloud.connections")

    @property
    def resources(self) -> Resources[R]:
        return Resources(self._caller, "cloud.resources")


class Workspace(Namespace[R]):
    """``workspace``: the workspace itself."""

    def rotate_key(self, params: Params = None) -> R:
        """Re-encrypts every stored secret under a new key: ``{new_key?}`` (base64 of 32 bytes;
        omitted: a fresh random one) -> ``{rotated, key_source, key_stored, new_key?}``. When
        ``key_stored`` is false the new key is not where the next open reads it: store it first."""
        return self._caller("workspace.rotateKey", dict(params or {}))

    rotateKey = rotate_key  # noqa: N815 - the operation's own name


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


class Ductape(_Base):
    """Blocking client. Thread-safe: share one instance between threads.

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

    @property
    def cloud(self) -> Cloud[JsonObject]:
        return Cloud(self.call, "cloud")

    @property
    def secrets(self) -> Secrets[JsonObject]:
        return Secrets(self.call, "secrets")

    @property
    def products(self) -> Products[JsonObject]:
        return Products(self.call, "products")

    @property
    def workspace(self) -> Workspace[JsonObject]:
        return Workspace(self.call, "workspace")

    def __getattr__(self, name: str) -> Namespace[Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return Namespace(self.call, name)

    def __enter__(self) -> "Ductape":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncDuctape(_Base):
    """asyncio client: every method answers an awaitable. Cancelling the asyncio task
    cancels the Rust task.

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

    @property
    def cloud(self) -> Cloud[Awaitable[JsonObject]]:
        return Cloud(self.call, "cloud")

    @property
    def secrets(self) -> Secrets[Awaitable[JsonObject]]:
        return Secrets(self.call, "secrets")

    @property
    def products(self) -> Products[Awaitable[JsonObject]]:
        return Products(self.call, "products")

    @property
    def workspace(self) -> Workspace[Awaitable[JsonObject]]:
        return Workspace(self.call, "workspace")

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
