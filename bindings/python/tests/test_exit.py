"""The interpreter exits cleanly after async calls, even with one still running.

uniffi completes async calls from the core's runtime threads; a foreign thread entering CPython
while it shuts down used to abort the process ("FATAL: exception not rethrown") a few times in a
hundred runs. The package's atexit hook (`prepare_for_exit`) stops and drains those completions.
"""
import subprocess
import sys
import textwrap

import pytest

MANY_CALLS = textwrap.dedent(
    """
    import asyncio, tempfile, ductape
    a = ductape.AsyncDuctape(workspace_dir=tempfile.mkdtemp(), debug_operations=True)
    async def main():
        for i in range(3000):
            assert await a.call("debug.echo", {"value": i}) == i
    asyncio.run(main())
    print("ok")
    """
)

IN_FLIGHT_AT_EXIT = textwrap.dedent(
    """
    import asyncio, tempfile, ductape
    a = ductape.AsyncDuctape(workspace_dir=tempfile.mkdtemp(), debug_operations=True)
    loop = asyncio.new_event_loop()
    tasks = [loop.create_task(a.call("debug.sleep", {"ms": ms})) for ms in (0, 1, 2, 5, 10, 20, 50)]
    loop.run_until_complete(asyncio.sleep(0.005))
    print("ok")  # exits with calls still running: never awaited, never cancelled
    """
)


PROGRESS_AT_EXIT = textwrap.dedent(
    """
    import asyncio, tempfile, threading, ductape
    a = ductape.AsyncDuctape(workspace_dir=tempfile.mkdtemp(), debug_operations=True)
    b = ductape.Ductape(workspace_dir=tempfile.mkdtemp(), debug_operations=True)
    seen = []
    loop = asyncio.new_event_loop()
    tasks = [loop.create_task(a.call("debug.progress", {"steps": 200, "delay_ms": 1}, progress=seen.append)) for _ in range(4)]
    threading.Thread(target=lambda: b.call("debug.progress", {"steps": 500, "delay_ms": 1}, progress=seen.append), daemon=True).start()
    loop.run_until_complete(asyncio.sleep(0.02))
    assert seen
    print("ok")  # exits while progress callbacks are still being called
    """
)


@pytest.mark.parametrize("script", [MANY_CALLS, IN_FLIGHT_AT_EXIT, PROGRESS_AT_EXIT],
                         ids=["many-calls", "in-flight-at-exit", "progress-at-exit"])
def test_interpreter_exits_cleanly(script):
    for _ in range(8):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env={"RUST_BACKTRACE": "0"})
        assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
        assert run.stdout.strip() == "ok"
