"""Ductape cloud connections for MongoDB Atlas.

    import ductape
    client = ductape.Ductape()                       # blocking
    client.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    aclient = ductape.AsyncDuctape()                 # asyncio
    await aclient.cloud.connections.validate("prod_atlas")

Every method forwards to the Rust core's generic ``call``; errors are raised as the
``ductape.errors`` class for the core's stable error code. The typed methods, their request and
reply types (``ductape.types``) and the exception classes are generated from the core's
operation registry (``cargo xtask codegen``).
"""
from importlib import metadata as _metadata

from . import errors as errors
from . import types as types
from ._client import AsyncDuctape as AsyncDuctape
from ._client import Ductape as Ductape
from ._client import Namespace as Namespace
from ._client import alive_tasks as alive_tasks
from ._client import async_calls_in_flight as async_calls_in_flight
from ._client import decode_envelope as decode_envelope
from ._client import describe as describe
from ._client import operations as operations
from ._native import native_version as native_version
from .errors import *  # noqa: F403 - every exception class, DuctapeError first (errors.__all__)

# The distribution's version, which maturin takes from the workspace's Cargo.toml (pyproject: dynamic),
# so it is the native library's own: tests check `__version__ == native_version()`.
__version__: str = _metadata.version("ductape-sdk")

__all__ = [
    "Ductape", "AsyncDuctape", "Namespace", "decode_envelope", "operations", "describe", "alive_tasks",
    "async_calls_in_flight", "native_version", "errors", "types", "__version__",
]
__all__ += errors.__all__
