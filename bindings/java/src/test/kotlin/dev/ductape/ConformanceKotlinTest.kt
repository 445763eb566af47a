package dev.ductape

import dev.ductape.ffi.DuctapeClient
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.name
import kotlin.io.path.readText

/**
 * The Kotlin conformance runner: every vector through the generated uniffi API's *suspend*
 * `callAsync` (the Java runner uses the blocking path), decoding the envelope itself.
 */
class ConformanceKotlinTest {
    companion object {
        private val report = java.util.Collections.synchronizedList(mutableListOf<String>())

        @JvmStatic
        @org.junit.jupiter.api.AfterAll
        fun writeReport() = ConformanceJavaTest.writeReport("kotlin.jsonl", report)
    }

    private object Missing

    private val vectorsDir: Path = Path.of(System.getProperty("ductape.repo.dir", "../..")).resolve("tests/conformance/vectors")
    private val sim: String? = System.getenv("DUCTAPE_SIM_URL")?.takeIf { it.isNotEmpty() }

    @Suppress("UNCHECKED_CAST")
    private fun vectors(): List<Pair<String, Map<String, Any?>>> =
        Files.list(vectorsDir).use { s -> s.filter { it.name.endsWith(".json") }.sorted().toList() }.flatMap { file ->
            val doc = Json.read(file.readText()) as Map<String, Any?>
            (doc["vectors"] as List<Map<String, Any?>>).map { "${file.name.removeSuffix(".json")}/${it["name"]}" to it }
        }

    private fun match(expected: Any?, actual: Any?, path: String) {
        if (expected == "\$absent") {
            if (actual !== Missing) throw AssertionError("$path: expected absent, got ${Json.write(actual)}")
            return
        }
        if (actual === Missing) throw AssertionError("$path: missing")
        if (expected == "\$any") return
        when {
            expected is Map<*, *> && actual is Map<*, *> ->
                expected.forEach { (k, v) -> match(v, if (actual.containsKey(k)) actual[k] else Missing, "$path.$k") }
            expected is List<*> && actual is List<*> -> {
                if (expected.size != actual.size) throw AssertionError("$path: expected ${expected.size} elements, got ${Json.write(actual)}")
                expected.indices.forEach { match(expected[it], actual[it], "$path[$it]") }
            }
            expected is Number && actual is Number && expected.toDouble() == actual.toDouble() -> Unit
            expected != actual -> throw AssertionError("$path: expected ${Json.write(expected)}, got ${Json.write(actual)}")
        }
    }

    private fun seen(name: String, step: Any, envelope: Map<String, Any?>): String {
        val seen = if (envelope["ok"] == true) ConformanceJavaTest.seenResult(envelope["result"]) else {
            @Suppress("UNCHECKED_CAST") val e = envelope["error"] as Map<String, Any?>
            ConformanceJavaTest.seenError(e["code"] as String?, e["field"] as String?, e["message"] as String?, e["details"])
        }
        return ConformanceJavaTest.line(ConformanceJavaTest.entry(name, step, "seen", seen))
    }

    @Suppress("UNCHECKED_CAST")
    private fun run(name: String, vector: Map<String, Any?>, workdir: Path, lines: MutableList<String>) = runBlocking {
        sim?.let { ConformanceJavaTest.simRequest(it, "POST", "/__sim/reset", null) }
        val options = linkedMapOf<String, Any?>("workspace_dir" to workdir.toString(), "atlas_base_url" to (sim ?: "http://127.0.0.1:9"), "debug_operations" to true)
        (vector["options"] as? Map<String, Any?>)?.let { options.putAll(it) }
        (vector["open_error"] as? Map<String, Any?>)?.let { want ->
            val failure = try {
                DuctapeClient(Json.write(options)).close()
                throw AssertionError("open: expected error ${Json.write(want)}, got a client")
            } catch (f: dev.ductape.ffi.DuctapeException.Failure) { f }
            lines.add(ConformanceJavaTest.line(ConformanceJavaTest.entry(name, "open", "seen",
                ConformanceJavaTest.seenError(failure.code, failure.field, failure.detail, null))))
            // The same code must map to a subclass in the facade, as for the steps.
            if (DuctapeException.of(failure.code, "", null, null).javaClass == DuctapeException::class.java)
                throw AssertionError("open: no exception subclass for ${failure.code}")
            if (want["code"] != failure.code) throw AssertionError("open: expected error code ${want["code"]}, got ${failure.code}: ${failure.detail}")
            if (want.containsKey("field") && want["field"] != failure.field) throw AssertionError("open: expected error field ${want["field"]}, got ${failure.field}")
            val part = want["message_contains"] as String?
            if (part != null && !failure.detail.contains(part)) throw AssertionError("open: expected message containing '$part', got ${failure.detail}")
            return@runBlocking
        }
        DuctapeClient(Json.write(options)).use { client ->
            (vector["steps"] as List<Map<String, Any?>>).forEachIndexed { i, step ->
                if (step.containsKey("sim")) {
                    lines.add(ConformanceJavaTest.line(ConformanceJavaTest.simStep(name, i, step)))
                    return@forEachIndexed
                }
                val op = step["op"] as String
                val where = "step $i ($op)"
                val params = step["params_raw"] as? String ?: Json.write(step["params"])
                val envelope = Json.read(client.callAsync(op, params)) as Map<String, Any?>
                lines.add(seen(name, i, envelope))
                val expect = step["expect"] as Map<String, Any?>
                val wantOk = expect["ok"] != false
                if (wantOk != (envelope["ok"] == true)) throw AssertionError("$where: expected ok=$wantOk, got ${Json.write(envelope)}")
                if (wantOk) {
                    if (expect.containsKey("result")) {
                        try { match(expect["result"], if (envelope.containsKey("result")) envelope["result"] else Missing, "result") }
                        catch (e: AssertionError) { throw AssertionError("$where: ${e.message}") }
                    }
                } else {
                    val want = expect["error"] as Map<String, Any?>
                    val got = envelope["error"] as Map<String, Any?>
                    if (want["code"] != got["code"]) throw AssertionError("$where: expected error code ${want["code"]}, got ${Json.write(got)}")
                    // The same code must map to a subclass in the facade.
                    if (DuctapeException.of(got["code"] as String, "", null, null).javaClass == DuctapeException::class.java)
                        throw AssertionError("$where: no exception subclass for ${got["code"]}")
                    if (want.containsKey("field") && want["field"] != got["field"]) throw AssertionError("$where: expected error field ${want["field"]}, got ${Json.write(got)}")
                    val part = want["message_contains"] as String?
                    if (part != null && !(got["message"] as String).contains(part)) throw AssertionError("$where: expected message containing '$part', got ${got["message"]}")
                }
            }
        }
    }

    @TestFactory
    fun vectors(@TempDir tmp: Path): List<DynamicTest> = vectors().mapIndexed { n, (name, vector) ->
        DynamicTest.dynamicTest(name) {
            val needsSim = (vector["requires"] as? List<*>)?.contains("sim") == true
            if (needsSim && sim == null) {
                report.add(ConformanceJavaTest.line(mapOf("vector" to name, "outcome" to "SKIP")))
                ConformanceJavaTest.requireSimInCi()
            }
            assumeTrue(!needsSim || sim != null, "needs the simulator (set DUCTAPE_SIM_URL)")
            val dir = Files.createDirectories(tmp.resolve("k$n"))
            val lines = mutableListOf<String>()
            var outcome = "FAIL"
            try {
                run(name, vector, dir, lines)
                outcome = "PASS"
            } finally {
                report.addAll(lines)
                report.add(ConformanceJavaTest.line(mapOf("vector" to name, "outcome" to outcome, "workdir" to dir.toString())))
            }
        }
    }
}
