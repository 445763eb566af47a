"""The Python facade: errors per code, panics, namespaces, asyncio cancellation, threads."""
import asyncio
import inspect
import keyword
import re
import threading
import time
import typing

import pytest

import ductape
from ductape import errors

# From the native library's description, so a code added in Rust fails here until Python has it.
CODES = [c["code"] for c in ductape.describe()["error_codes"]]


@pytest.fixture()
def client(tmp_path):
    return ductape.Ductape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9", debug_operations=True)


@pytest.fixture()
def aclient(tmp_path):
    return ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9", debug_operations=True)


def test_generic_call_round_trips_json(client):
    value = {"a": [1, 2.5, None, True], "s": "h\u00e9llo \u2603"}
    assert client.call("debug.echo", {"value": value}) == value
    assert client.debug.echo({"value": 3}) == 3  # any dotted name forwards
    assert client.debug.echo(value="kw") == "kw"


@pytest.mark.parametrize("code", CODES)
def test_each_error_code_raises_its_exception(client, code):
    with pytest.raises(errors.ERROR_CLASSES[code]) as info:
        client.call("debug.error", {"code": code, "message": "made", "field": "f"})
    e = info.value
    assert type(e) is not ductape.DuctapeError, f"no exception class for the core's code {code}"
    assert isinstance(e, ductape.DuctapeError)
    assert (e.code, e.message, e.field) == (code, "made", "f")


def test_invalid_argument_names_the_field(client):
    with pytest.raises(ductape.InvalidArgumentError) as info:
        client.call("debug.sleep", {"ms": "soon"})
    assert info.value.field == "ms"
    assert isinstance(info.value, ValueError)


def test_panic_is_an_internal_error_and_the_interpreter_survives(client):
    for _ in range(3):
        with pytest.raises(ductape.InternalError, match="boom"):
            client.call("debug.panic", {"message": "boom"})
    assert client.call("debug.echo", {"value": "alive"}) == "alive"


def test_bad_options_raise_invalid_argument(tmp_path):
    with pytest.raises(ductape.InvalidArgumentError) as info:
        ductape.Ductape({"no_such_option": 1})
    assert info.value.field == "no_such_option"
    with pytest.raises(ductape.InvalidArgumentError):
        ductape.Ductape(request_timeout_ms="fast")


def test_a_different_tag_in_params_is_refused_not_preferred(client, aclient):
    for name in ("one", "two"):
        client.cloud.connections.create({"provider": "mongodb_atlas", "name": name})
    key = {"project_id": "5c843ba379358e5b3dc2dec6", "atlas_public_key": "awqxqtif",
           "atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04"}
    for call, params in ((client.cloud.connections.update, {"display_name": "Changed"}),
                         (client.cloud.connections.complete, key)):
        with pytest.raises(ductape.InvalidArgumentError) as info:
            call("one", {"tag": "two", **params})
        assert info.value.field == "tag"

    async def run_async():
        with pytest.raises(ductape.InvalidArgumentError):
            await aclient.cloud.connections.update("one", {"tag": "two", "display_name": "Changed"})

    asyncio.run(run_async())
    two = client.cloud.connections.fetch("two")
    assert (two["display_name"], two["metadata"]["project_id"]) == ("two", None)
    assert client.cloud.connections.fetch("one")["display_name"] == "one"
    # the same tag in both places is fine
    assert client.cloud.connections.update("one", {"tag": "one", "display_name": "Same"})["display_name"] == "Same"


def test_unknown_operation(client):
    with pytest.raises(ductape.UnknownOperationError, match="no.such"):
        client.call("no.such")


def test_every_core_error_code_has_its_class():
    assert sorted(errors.ERROR_CLASSES) == sorted(CODES)
    assert len(CODES) >= 16


def test_the_keyword_options_are_the_core_options(tmp_path):
    import inspect

    core = set(ductape.describe()["options"]["properties"])
    keywords = {p.name for p in inspect.signature(ductape.Ductape.__init__).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert keywords == core
    key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    with ductape.Ductape(workspace_dir=tmp_path, workspace_key=key, retry_base_delay_ms=10) as c:
        assert c.cloud.connections.list() == {"connections": []}
    with pytest.raises(ductape.InvalidArgumentError) as info:
        ductape.Ductape(retry_base_delay_ms=60_001)
    assert info.value.field == "retry_base_delay_ms"


def test_operations_and_describe_need_no_client(monkeypatch):
    # A bad MONGODB_ATLAS_BASE_URL breaks opening a client, not listing what the library can do.
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "ftp://nope")
    assert "cloud.connections.create" in ductape.operations()
    assert ductape.describe()["operations"][0]["name"] == "cloud.connections.create"
    with pytest.raises(ductape.InvalidArgumentError):
        ductape.Ductape()


def test_results_arrive_unwrapped_and_facades_answer_dicts(client):
    assert client.debug.echo({"value": 7}) == 7
    assert client.cloud.connections.list() == {"connections": []}


def test_namespaces_forward_to_the_core(client):
    # An operation the core does not have (yet) is an UnknownOperationError naming it.
    for call in (client.cloud.future.import_, getattr(client.cloud.future, "import")):
        with pytest.raises(ductape.UnknownOperationError, match="cloud.future.import"):
            call({"cloud": "prod_atlas"})
    with pytest.raises(ductape.UnknownOperationError, match="cloud.network.sync"):
        client.cloud.network.sync({"tag": "prod_atlas"})
    assert repr(client.cloud.connections.anything) == "<ductape namespace 'cloud.connections.anything'>"


def test_operations_lists_the_core_operations(client):
    ops = client.operations()
    assert "debug.echo" in ops and ops == ductape.operations()


def test_closed_client_raises(tmp_path):
    with ductape.Ductape(workspace_dir=tmp_path, debug_operations=True) as c:
        assert c.call("debug.echo", {"value": 1}) == 1
    with pytest.raises(ductape.FailedPreconditionError):
        c.call("debug.echo", {"value": 1})
    with pytest.raises(ductape.FailedPreconditionError):
        c.cloud.connections.list()


def test_a_close_that_races_calls_gives_only_the_typed_error(tmp_path):
    for round_ in range(10):
        c = ductape.Ductape(workspace_dir=tmp_path / str(round_), debug_operations=True)
        unexpected = []
        started = threading.Barrier(5)

        def worker():
            started.wait()
            for i in range(2000):
                try:
                    assert c.call("debug.echo", {"value": i}) == i
                except ductape.FailedPreconditionError:
                    return
                except BaseException as e:  # noqa: BLE001
                    unexpected.append(e)
                    return

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        started.wait()
        c.close()
        for t in threads:
            t.join()
        assert not unexpected, unexpected[:3]


def test_async_call_and_errors(aclient):
    async def main():
        assert await aclient.call("debug.echo", {"value": [1]}) == [1]
        assert await aclient.debug.echo({"value": "ns"}) == "ns"
        with pytest.raises(ductape.NotFoundError):
            await aclient.call("debug.error", {"code": "not_found"})
        with pytest.raises(ductape.InternalError):
            await aclient.call("debug.panic", {"message": "async boom"})
        with pytest.raises(ductape.UnknownOperationError):
            await aclient.cloud.future.import_({})

    asyncio.run(main())


def _wait_for(predicate, timeout=30.0):
    """Polls until ``predicate`` holds (the timeout only bounds a hang: tests wait for what must
    happen instead of sleeping for a time a loaded machine may not keep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


async def _until(predicate):
    assert await asyncio.to_thread(_wait_for, predicate)


async def _inside(aclient, name, calls):
    """Returns once ``calls`` calls ``debug.rendezvous`` named ``name`` are inside the operation: a
    probe that needs them all to meet (they wait for one party more, so they stay inside)."""
    probe = await aclient.call("debug.rendezvous", {"name": name, "parties": calls + 1, "timeout_ms": 30_000})
    assert probe["met"], f"the calls never ran: {probe}"


async def _left(aclient, name):
    """Whether every call named ``name`` has left the operation: one more finds nobody there."""
    return await aclient.call("debug.rendezvous", {"name": name, "parties": 2, "timeout_ms": 100}) == {
        "met": False, "arrived": 1}


def test_asyncio_cancellation_stops_the_rust_task(aclient):
    async def main():
        # Other tasks may live on the runtime (e.g. HTTP keep-alive connections of earlier tests),
        # so count ours: 5 futures, 5 more tasks at the peak, and 5 fewer after cancelling.
        calls = ductape.async_calls_in_flight()
        name = "py-asyncio-cancel"
        party = {"name": name, "parties": 7, "timeout_ms": 60_000}  # never met: 5 calls and the probe
        tasks = [asyncio.ensure_future(aclient.call("debug.rendezvous", party)) for _ in range(5)]
        await _inside(aclient, name, 5)  # all 5 are running inside the core when cancelled
        assert ductape.async_calls_in_flight() == calls + 5
        peak = ductape.alive_tasks()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with pytest.raises(asyncio.CancelledError):
                await t
        assert ductape.async_calls_in_flight() == calls  # the uniffi futures were dropped ...
        # ... which aborts the tasks on the core's runtime: they leave the meeting.
        await _until(lambda: ductape.alive_tasks() <= peak - 5)
        assert await _left(aclient, name), "a cancelled call is still inside the operation"
        # The client still works afterwards.
        assert await aclient.call("debug.sleep", {"ms": 1}) == {"slept_ms": 1}

    asyncio.run(main())


def test_asyncio_timeout_cancels(aclient):
    async def main():
        calls = ductape.async_calls_in_flight()
        name = "py-asyncio-timeout"
        task = asyncio.ensure_future(aclient.call("debug.rendezvous", {"name": name, "parties": 3, "timeout_ms": 60_000}))
        await _inside(aclient, name, 1)  # running inside the core when the timeout starts
        peak = ductape.alive_tasks()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(task, 0.1)
        assert ductape.async_calls_in_flight() == calls
        await _until(lambda: ductape.alive_tasks() <= peak - 1)
        assert await _left(aclient, name), "the timed-out call is still inside the operation"

    asyncio.run(main())


def test_many_asyncio_calls_run_concurrently(aclient):
    # 50 calls meet only if all 50 are in flight at once: concurrency shown without timing.
    async def main():
        party = {"name": "py-asyncio-50", "parties": 50, "timeout_ms": 60_000}
        return await asyncio.gather(*(aclient.call("debug.rendezvous", party) for _ in range(50)))

    assert all(r["met"] for r in asyncio.run(main()))


def test_many_threads_at_once(client):
    errors_seen = []
    results = {}

    def worker(n):
        try:
            for i in range(20):
                assert client.call("debug.echo", {"value": [n, i]}) == [n, i]
                with pytest.raises(ductape.ConflictError):
                    client.call("debug.error", {"code": "conflict"})
            # All 16 blocking calls are in flight at once (the native call releases the GIL).
            results[n] = client.call("debug.rendezvous", {"name": "py-threads-16", "parties": 16, "timeout_ms": 60_000})
        except BaseException as e:  # noqa: BLE001
            errors_seen.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors_seen, errors_seen[:3]
    assert len(results) == 16 and all(r["met"] for r in results.values()), results


def _typed_method(root: object, operation: str):
    """The facade's own method for ``operation`` (``secrets.fetchAll`` -> ``secrets.fetch_all``,
    ``cloud.resources.import`` -> ``import_``), found on the classes (``inspect.getattr_static``),
    so that the generic ``__getattr__`` forwarding any dotted name does not count; None if missing."""
    *namespaces, name = operation.split(".")
    node = root
    for part in namespaces:
        try:
            inspect.getattr_static(node, part)
        except AttributeError:
            return None
        node = getattr(node, part)
    attr = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    if keyword.iskeyword(attr):
        attr += "_"
    try:
        method = inspect.getattr_static(node, attr)
    except AttributeError:
        return None
    # Defined by a facade class (not inherited from the generic Namespace) and callable.
    if not callable(method) or any(attr in vars(base) for base in ductape.Namespace.__mro__):
        return None
    return getattr(node, attr)


def _takes_an_object(hint):
    """A parameter typed as a request object: a ``Mapping`` or a generated ``TypedDict`` (or
    ``Optional`` of either)."""
    return "Mapping" in str(hint) or any(typing.is_typeddict(t) for t in (hint, *typing.get_args(hint)))


def _bad_arguments(method):
    """Arguments that the core must refuse or answer: an object with a field no request has for
    each object parameter (optional ones too) and an empty string for each other required one."""
    hints = typing.get_type_hints(method)
    args = []
    for p in inspect.signature(method).parameters.values():
        if p.kind is not p.POSITIONAL_OR_KEYWORD:
            continue
        if _takes_an_object(hints.get(p.name)):
            args.append({"no_such_field": 1})
        elif p.default is p.empty:
            args.append("")
        else:
            break
    return args


def test_every_core_operation_has_a_typed_method_that_reaches_the_core(tmp_path):
    """Every operation of the core's description (``describe()``, as docs/operations.json) has its
    typed method in both clients, and that method calls the core with that operation's name: called
    with bad arguments, it answers the core's typed error for them (or its result), never
    ``unknown_operation``. Debug operations are reached by the generic forwarding."""
    seen = []

    class Recording(ductape.Ductape):
        def call(self, operation, params=None, **kw):
            seen.append(operation)
            return super().call(operation, params, **kw)

    class AsyncRecording(ductape.AsyncDuctape):
        async def call(self, operation, params=None, **kw):
            seen.append(operation)
            return await super().call(operation, params, **kw)

    options = dict(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9", debug_operations=True)
    client, aclient = Recording(**options), AsyncRecording(**options)
    described = ductape.describe()["operations"]
    assert sorted(op["name"] for op in described) == sorted(client.operations())
    product_ops = [op["name"] for op in described if not op["debug_only"]]
    assert len(product_ops) >= 40, product_ops

    missing = [name for name in product_ops for root in (client, aclient) if _typed_method(root, name) is None]
    assert not missing, f"no typed method for {missing}"
    # Progress on every operation (the registry does not say which are long): a keyword-only progress=.
    no_progress = [name for name in product_ops for root in (client, aclient)
                   if inspect.signature(_typed_method(root, name)).parameters.get("progress", inspect.Parameter(
                       "progress", inspect.Parameter.POSITIONAL_ONLY)).kind is not inspect.Parameter.KEYWORD_ONLY]
    assert not no_progress, f"no progress= keyword: {no_progress}"

    fields = {op["name"]: set(op["request"].get("properties", {})) for op in described}

    def reached(name, call):
        seen.clear()
        try:
            call()
        except ductape.UnknownOperationError as e:
            raise AssertionError(f"{name}: the core does not know what the method sent: {e}") from None
        except ductape.DuctapeError as e:
            # The core's own answer: its error code, raised as that code's class, naming a field
            # of the operation's request (so the method sent the fields the core reads).
            assert type(e) is errors.ERROR_CLASSES[e.code], f"{name}: {type(e).__name__} for {e.code}"
            assert e.field in fields[name] | {"no_such_field", None}, f"{name}: {e.field!r}: {e}"
        assert seen == [name], f"{name}: the typed method called {seen}"

    for name in product_ops:
        method = _typed_method(client, name)
        reached(name, lambda: method(*_bad_arguments(method)))
        amethod = _typed_method(aclient, name)
        reached(name, lambda: asyncio.run(amethod(*_bad_arguments(amethod))))
    for name in (op["name"] for op in described if op["debug_only"]):
        generic = client
        for part in name.split("."):
            generic = getattr(generic, part)
        reached(name, lambda: generic({"no_such_field": 1}))


def test_the_request_and_reply_types_are_the_library_s_schemas():
    """The generated TypedDicts (``ductape.types``, written by ``cargo xtask codegen``) have the keys
    of the native library's request and reply schemas, required where the schema requires them,
    and every typed method takes and answers them: a library built from another registry fails."""
    described = [op for op in ductape.describe()["operations"] if not op["debug_only"]]
    for op in described:
        base = "".join(part[:1].upper() + part[1:] for part in op["name"].split("."))
        for kind in ("Request", "Reply"):
            schema = op[kind.lower()]
            td = getattr(ductape.types, base + kind)
            assert typing.is_typeddict(td), f"{base + kind} is no TypedDict"
            assert set(td.__annotations__) == set(schema.get("properties", {})), f"{base + kind}: other keys"
            assert td.__required_keys__ == frozenset(schema.get("required", [])), f"{base + kind}: other required keys"
        for cls in (ductape.Ductape, ductape.AsyncDuctape):
            root = cls.__new__(cls)  # only the namespaces' classes are read: no native client needed
            root.call = lambda *a, **kw: None
            method = _typed_method(root, op["name"])
            assert method is not None, f"{cls.__name__}: no typed method for {op['name']}"
            hints = typing.get_type_hints(method)
            assert hints["return"] is getattr(ductape.types, base + "Reply"), op["name"]
            takes = [t for t in hints.values() if _takes_an_object(t)]
            assert all(base in str(t) for t in takes), f"{op['name']}: {takes}"


def test_the_package_version_is_the_native_library_version():
    # One version for every artifact: the wheel's metadata (from Cargo.toml) and the library it holds.
    assert ductape.__version__ == ductape.native_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", ductape.__version__)


def test_the_native_library_is_found_by_the_platform_s_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys as _sys

    from ductape import _client

    for platform, name in [("linux", "libductape_ffi.so"), ("darwin", "libductape_ffi.dylib"), ("win32", "ductape_ffi.dll")]:
        monkeypatch.setattr(_sys, "platform", platform)
        assert _client._library_file().endswith(name), platform
