package examples

import dev.ductape.Ductape
import dev.ductape.DuctapeException
import dev.ductape.Json
import dev.ductape.callSuspend
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import kotlin.system.exitProcess

/**
 * The product page's calls in Kotlin, with coroutines: create -> complete -> validate -> fetch -> list.
 * Against the simulator (DUCTAPE_SIM_URL) by default, real Atlas when MONGODB_ATLAS_* are set.
 */
fun main(): Unit = runBlocking {
    val env = System.getenv()
    val tag = env["DUCTAPE_EXAMPLE_TAG"] ?: "prod_atlas"
    val real = env["MONGODB_ATLAS_PROJECT_ID"] != null
    val baseUrl = if (real) env["MONGODB_ATLAS_BASE_URL"] else env["DUCTAPE_SIM_URL"]
        ?: run { System.err.println("set DUCTAPE_SIM_URL or the MONGODB_ATLAS_* variables"); exitProcess(2) }
    val creds: Map<String, Any?> = when {
        !real -> mapOf(
            // The default seed's happy-path key (a test value only the simulator accepts).
            "project_id" to "5c843ba379358e5b3dc2dec6",
            "atlas_public_key" to "awqxqtif",
            "atlas_private_key" to "a0403a4f-0151-4922-ae89-523b69cd8e04",
        )
        env["MONGODB_ATLAS_CLIENT_ID"] != null -> mapOf(
            "project_id" to env["MONGODB_ATLAS_PROJECT_ID"],
            "atlas_client_id" to env["MONGODB_ATLAS_CLIENT_ID"],
            "atlas_client_secret" to (env["MONGODB_ATLAS_CLIENT_SECRET"] ?: ""),
        )
        else -> mapOf(
            "project_id" to env["MONGODB_ATLAS_PROJECT_ID"],
            "atlas_public_key" to (env["MONGODB_ATLAS_PUBLIC_API_KEY"] ?: ""),
            "atlas_private_key" to (env["MONGODB_ATLAS_PRIVATE_API_KEY"] ?: ""),
        )
    }
    println("Ductape Kotlin example against " + if (real) "Atlas at ${shown(baseUrl ?: "https://cloud.mongodb.com")} (MONGODB_ATLAS_* variables)" else "the simulator at $baseUrl")
    val workspace = env["DUCTAPE_WORKSPACE_DIR"] ?: Files.createTempDirectory("ductape-example-kt-").toString()
    val options = buildMap<String, Any> {
        put("workspace_dir", workspace)
        baseUrl?.let { put("atlas_base_url", it) }
    }
    try {
        Ductape(options).use { ductape ->
            val connections = ductape.cloud.connections
            show("create", connections.callSuspend("create", mapOf("provider" to "mongodb_atlas", "name" to tag, "scopes" to listOf("database"))))
            show("complete", connections.callSuspend("complete", mapOf("tag" to tag) + creds))
            val check = connections.callSuspend("validate", mapOf("tag" to tag)) as Map<*, *>
            show("validate", check)
            if (check["valid"] != true) {
                // The credentials did not pass: a failure for whoever runs this, so a non-zero exit.
                System.err.println("validation failed: ${check["code"]}: ${check["message"]}")
                exitProcess(1)
            }
            // The blocking Map facade works from Kotlin too.
            show("fetch", connections.fetch(tag))
            show("list", connections.list())
        }
    } catch (e: DuctapeException) {
        System.err.println("failed: ${e.message}" + (e.field?.let { " (field $it)" } ?: ""))
        exitProcess(1)
    }
}

/** A URL as printed: user info (up to the last '@') and the query may hold credentials. */
private fun shown(url: String): String {
    val i = url.indexOf("://")
    val scheme = if (i < 0) "" else url.substring(0, i + 3)
    var rest = if (i < 0) url else url.substring(i + 3)
    val at = rest.lastIndexOf('@')
    if (at >= 0) rest = "[redacted]@" + rest.substring(at + 1)
    return scheme + rest.split('?', '#')[0]
}

private fun show(label: String, value: Any?) = println("$label: ${Json.write(value)}")
