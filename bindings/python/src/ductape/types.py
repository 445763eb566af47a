"""The request and reply types of every operation, as ``TypedDict``s: ``CloudConnectionsCreateRequest``,
``CloudConnectionsCreateReply``, ... (the ``(tag, params)`` methods' params: ``CloudConnectionsCompleteParams``),
and the types their fields name (``Status``, ``AuthMethod``, ...). Generated from the operation
registry into ``_ops.py`` by ``cargo xtask codegen``; ``mypy --strict`` rejects a misspelt or
missing field in a request dict the typed methods take.
"""
from ._ops import *  # noqa: F403 - the types (_ops.__all__)
