"""Ductape cloud connections for MongoDB Atlas.

    import ductape
    client = ductape.Ductape()                       # blocking
    client.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    aclient = ductape.AsyncDuctape()                 # asyncio
    await aclient.cloud.connections.validate("prod_atlas")

Every method forwards to the Rust core's generic ``call``; errors are raised as the
``ductape.errors`` class for the core's stable error code.
"""
from ._client import AsyncDuctape, Ductape, Namespace, alive_tasks, async_calls_in_flight, decode_envelope, operations
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from ._native import native_version

__version__ = "0.1.0"

__all__ = ["Ductape", "AsyncDuctape", "Namespace", "decode_envelope", "operations", "alive_tasks", "async_calls_in_flight", "native_version"] + list(_errors_all)
