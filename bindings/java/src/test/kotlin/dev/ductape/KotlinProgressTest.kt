package dev.ductape

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import java.util.concurrent.CopyOnWriteArrayList

/** Progress events in Kotlin: a lambda on `callSuspend`, with `debug.progress` and a waiting sync. */
class KotlinProgressTest {
    @TempDir
    lateinit var workspace: Path
    private val sim: String? = System.getenv("DUCTAPE_SIM_URL")?.takeIf { it.isNotEmpty() }

    private fun ductape() = Ductape(
        mapOf("workspace_dir" to workspace.toString(), "atlas_base_url" to (sim ?: "http://127.0.0.1:9"), "debug_operations" to true),
    )

    @Test
    fun aLambdaReceivesTheEventsOfASuspendCall(): Unit = runBlocking {
        ductape().use { d ->
            val seen = CopyOnWriteArrayList<Map<String, Any?>>()
            val reply = d.callSuspend("debug.progress", mapOf("steps" to 3)) { seen.add(it) } as Map<*, *>
            assertEquals(3L, reply["reported"])
            assertEquals(listOf(1L, 2L, 3L), seen.map { it["done"] })
            assertTrue(seen.all { it["operation"] == "debug.progress" && it["total"] == 3L })
        }
    }

    @Test
    fun aWaitingSyncReportsWaitActive(): Unit = runBlocking {
        if (sim == null) ConformanceJavaTest.requireSimInCi()
        assumeTrue(sim != null, "needs the simulator (set DUCTAPE_SIM_URL)")
        ConformanceJavaTest.simRequest(sim!!, "POST", "/__sim/reset", null)
        ductape().use { d ->
            val c = d.cloud.connections
            c.callSuspend("create", mapOf("provider" to "mongodb_atlas", "name" to "kt"))
            c.callSuspend("complete", mapOf("tag" to "kt", "project_id" to "5c843ba379358e5b3dc2dec6",
                "atlas_public_key" to "awqxqtif", "atlas_private_key" to "a0403a4f-0151-4922-ae89-523b69cd8e04"))
            assertEquals(true, (c.callSuspend("validate", mapOf("tag" to "kt")) as Map<*, *>)["valid"])
            c.callSuspend("updateManagedNetworking", mapOf("tag" to "kt", "ductape_proxy_addresses" to listOf("203.0.113.9")))
            val seen = CopyOnWriteArrayList<Map<String, Any?>>()
            val r = c.callSuspend("syncNetworkAccess", mapOf("tag" to "kt", "wait" to true)) { seen.add(it) } as Map<*, *>
            assertEquals(listOf<Any>(), r["pending"])
            assertEquals(listOf("203.0.113.9/32"), r["synced_ips"])
            val last = seen.last()
            assertEquals(listOf("wait_active", 1L, 1L), listOf(last["step"], last["done"], last["total"]))
            assertTrue(seen.any { it["step"] == "read_access_list" })
        }
    }
}
