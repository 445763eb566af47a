package dev.ductape

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path

/**
 * Kotlin's coroutine API over real HTTP against the simulator (DUCTAPE_SIM_URL): the lifecycle
 * through `callSuspend`, and a coroutine cancelled while Atlas holds its request.
 */
class KotlinSimTest {
    @TempDir
    lateinit var workspace: Path
    private val sim: String? = System.getenv("DUCTAPE_SIM_URL")?.takeIf { it.isNotEmpty() }

    @BeforeEach
    fun reset() {
        if (sim == null) ConformanceJavaTest.requireSimInCi()
        assumeTrue(sim != null, "needs the simulator (set DUCTAPE_SIM_URL)")
        ConformanceJavaTest.simRequest(sim!!, "POST", "/__sim/reset", null)
    }

    private fun ductape() = Ductape(mapOf("workspace_dir" to workspace.toString(), "atlas_base_url" to sim!!))

    private val ownerKey = mapOf("project_id" to "5c843ba379358e5b3dc2dec6", "atlas_public_key" to "awqxqtif",
        "atlas_private_key" to "a0403a4f-0151-4922-ae89-523b69cd8e04")

    @Test
    fun theLifecycleThroughSuspendCalls(): Unit = runBlocking {
        ductape().use { d ->
            val c = d.cloud.connections
            assertEquals("pending", (c.callSuspend("create", mapOf("provider" to "mongodb_atlas", "name" to "kt")) as Map<*, *>)["status"])
            assertEquals("pending", (c.callSuspend("complete", mapOf("tag" to "kt") + ownerKey) as Map<*, *>)["status"])
            val check = c.callSuspend("validate", mapOf("tag" to "kt")) as Map<*, *>
            assertEquals(listOf(true, "active", "prod-project (org a0123456789abcdef012345a)"),
                listOf(check["valid"], check["status"], check["account_identifier"]))
            assertEquals("active", (d.callSuspend("cloud.connections.fetch", mapOf("tag" to "kt")) as Map<*, *>)["status"])
        }
    }

    @Test
    fun cancellingACoroutineWhileAtlasHoldsTheRequestStopsTheRustTask(): Unit = runBlocking {
        ductape().use { d ->
            val c = d.cloud.connections
            c.create(mapOf("provider" to "mongodb_atlas", "name" to "kt"))
            c.complete("kt", ownerKey)
            ConformanceJavaTest.simRequest(sim!!, "POST", "/__sim/faults",
                mapOf("route" to "GET /api/atlas/v2", "kind" to "delay", "delay_ms" to 60_000, "count" to 1))
            val calls = asyncCallsInFlight()
            val before = aliveTasks()
            val job = launch(Dispatchers.Default) { c.callSuspend("validate", mapOf("tag" to "kt")) }
            waitFor { ConformanceJavaTest.simFaultsLeft(sim!!) == 0 } // the request reached the simulator
            waitFor { aliveTasks() >= before + 1 }
            val peak = aliveTasks()
            job.cancelAndJoin()
            waitFor { asyncCallsInFlight() == calls }
            waitFor { aliveTasks() <= peak - 1 }
            assertEquals("pending", c.fetch("kt")["status"])
            assertEquals(true, c.validate("kt")["valid"])
        }
    }
}
