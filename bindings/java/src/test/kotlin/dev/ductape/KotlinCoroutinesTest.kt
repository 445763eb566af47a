package dev.ductape

import dev.ductape.ffi.DuctapeClient
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.TimeoutCancellationException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import kotlin.time.Duration.Companion.milliseconds

class KotlinCoroutinesTest {
    @TempDir
    lateinit var workspace: Path

    private fun ductape() = Ductape(mapOf("workspace_dir" to workspace.toString(), "atlas_base_url" to "http://127.0.0.1:9", "debug_operations" to true))

    @Test
    fun generatedApiIsUsableDirectly() {
        DuctapeClient("""{"debug_operations": true, "workspace_dir": "${workspace}"}""").use { client ->
            assertEquals("""{"ok":true,"result":[1,"a"]}""", client.call("debug.echo", """{"value":[1,"a"]}"""))
            assertTrue("debug.echo" in client.operations())
            val failure = assertThrows<dev.ductape.ffi.DuctapeException.Failure> { DuctapeClient("""{"bogus": 1}""") }
            assertEquals("invalid_argument", failure.code)
            assertEquals("bogus", failure.field)
        }
    }

    @Test
    fun suspendCallsDecodeResultsAndErrors(): Unit = runBlocking {
        ductape().use { d ->
            assertEquals(mapOf("slept_ms" to 3L), d.callSuspend("debug.sleep", mapOf("ms" to 3)))
            assertThrows<DuctapeException.NotFound> { runBlocking { d.callSuspend("debug.error", mapOf("code" to "not_found")) } }
            assertThrows<DuctapeException.Internal> { runBlocking { d.callSuspend("debug.panic", mapOf("message" to "kotlin boom")) } }
            assertThrows<DuctapeException.UnknownOperation> { runBlocking { d.cloud.namespace("future").callSuspend("import", mapOf<String, Any>()) } }
            // Kotlin can also use the Map facade as is.
            assertThrows<DuctapeException.UnknownOperation> { d.cloud.namespace("future").call("import", mapOf("cloud" to "prod_atlas")) }
            assertEquals("still alive", d.callSuspend("debug.echo", mapOf("value" to "still alive")))
            d.close()
            assertThrows<DuctapeException.FailedPrecondition> { runBlocking { d.callSuspend("debug.echo", mapOf("value" to 1)) } }
        }
    }

    @Test
    fun cancellingACoroutineStopsTheRustTask(): Unit = runBlocking {
        ductape().use { d ->
            // Count ours: other tasks (HTTP keep-alive connections of other tests) may be alive.
            val calls = asyncCallsInFlight()
            val before = aliveTasks()
            val jobs = List(5) { launch(Dispatchers.Default) { d.callSuspend("debug.sleep", mapOf("ms" to 60_000)) } }
            waitFor { asyncCallsInFlight() == calls + 5 }
            waitFor { aliveTasks() >= before + 5 } // the Rust tasks started
            val peak = aliveTasks()
            jobs.forEach { it.cancelAndJoin() }
            waitFor { asyncCallsInFlight() == calls }
            waitFor { aliveTasks() <= peak - 5 }
            assertEquals(mapOf("slept_ms" to 1L), d.callSuspend("debug.sleep", mapOf("ms" to 1)))
        }
    }

    @Test
    fun withTimeoutCancelsTheRustTask(): Unit = runBlocking {
        ductape().use { d ->
            val calls = asyncCallsInFlight()
            val before = aliveTasks()
            val peak = java.util.concurrent.atomic.AtomicLong(-1)
            assertThrows<TimeoutCancellationException> {
                runBlocking {
                    // Long enough for the task to start on a loaded machine; the watcher records it.
                    withTimeout(3_000.milliseconds) {
                        launch { waitFor { aliveTasks() >= before + 1 }; peak.set(aliveTasks()) }
                        d.nativeClient().callAsync("debug.sleep", """{"ms":60000}""")
                    }
                }
            }
            assertTrue(peak.get() >= before + 1, "the Rust task did not start before the timeout")
            waitFor { asyncCallsInFlight() == calls }
            waitFor { aliveTasks() <= peak.get() - 1 }
        }
    }

    @Test
    fun manyCoroutinesAtOnce(): Unit = runBlocking {
        ductape().use { d ->
            // 100 suspended calls meet only if all 100 are in flight at once (no timing involved).
            val party = mapOf("name" to "kotlin-coroutines-100", "parties" to 100, "timeout_ms" to 60_000)
            val results = List(100) { async(Dispatchers.Default) { d.callSuspend("debug.rendezvous", party) } }.awaitAll()
            assertEquals(100, results.size)
            results.forEach { assertEquals(true, (it as Map<*, *>)["met"]) }
        }
    }
}
