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

/** What debug.rendezvous answers a call that finds nobody else inside: every earlier call left. */
private val left = mapOf("met" to false, "arrived" to 1L)

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
            val name = "kotlin-coroutine-cancel"
            // Five calls waiting for a seventh party that never comes; a probe (the sixth) meets
            // them all, so they are running inside the operation when they are cancelled.
            val jobs = List(5) {
                launch(Dispatchers.Default) { d.callSuspend("debug.rendezvous", mapOf("name" to name, "parties" to 7, "timeout_ms" to 60_000)) }
            }
            val probe = d.callSuspend("debug.rendezvous", mapOf("name" to name, "parties" to 6, "timeout_ms" to 30_000)) as Map<*, *>
            assertEquals(true, probe["met"], "the calls to cancel never ran: $probe")
            waitFor { asyncCallsInFlight() == calls + 5 }
            val peak = aliveTasks()
            jobs.forEach { it.cancelAndJoin() }
            waitFor { asyncCallsInFlight() == calls }
            waitFor { aliveTasks() <= peak - 5 }
            assertEquals(left, d.callSuspend("debug.rendezvous", mapOf("name" to name, "parties" to 2, "timeout_ms" to 100)), "they left the operation")
            assertEquals(mapOf("slept_ms" to 1L), d.callSuspend("debug.sleep", mapOf("ms" to 1)))
        }
    }

    @Test
    fun withTimeoutCancelsTheRustTask(): Unit = runBlocking {
        ductape().use { d ->
            val calls = asyncCallsInFlight()
            val name = "kotlin-with-timeout"
            val peak = java.util.concurrent.atomic.AtomicLong(-1)
            assertThrows<TimeoutCancellationException> {
                runBlocking {
                    // The call waits for a third party that never comes; a probe meets it before the
                    // timeout (long enough for a loaded machine), so it is running when the timeout fires.
                    withTimeout(5_000.milliseconds) {
                        launch {
                            val probe = d.callSuspend("debug.rendezvous", mapOf("name" to name, "parties" to 2, "timeout_ms" to 30_000)) as Map<*, *>
                            if (probe["met"] == true) peak.set(aliveTasks())
                        }
                        d.nativeClient().callAsync("debug.rendezvous", """{"name":"$name","parties":3,"timeout_ms":60000}""")
                    }
                }
            }
            assertTrue(peak.get() >= 1, "the call was not running before the timeout (the probe never met it)")
            waitFor { asyncCallsInFlight() == calls }
            waitFor { aliveTasks() <= peak.get() - 1 }
            assertEquals(left, d.callSuspend("debug.rendezvous", mapOf("name" to name, "parties" to 2, "timeout_ms" to 100)), "it left the operation")
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
