@file:JvmName("NativeBridge")

package dev.ductape

import dev.ductape.ffi.DuctapeClient
import dev.ductape.ffi.debugAliveTasks
import dev.ductape.ffi.debugAsyncCallsInFlight
import dev.ductape.ffi.describe
import dev.ductape.ffi.operationNames as nativeOperationNames
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.GlobalScope
import kotlinx.coroutines.future.future
import java.util.concurrent.CompletableFuture

/**
 * The only Kotlin between the Java facade and the generated uniffi code: it turns the generated
 * `suspend fun callAsync` into a [CompletableFuture]. Cancelling the future cancels the coroutine,
 * which drops the uniffi future, which aborts the Rust task.
 */
@OptIn(DelicateCoroutinesApi::class)
fun callFuture(client: DuctapeClient, operation: String, paramsJson: String): CompletableFuture<String> =
    GlobalScope.future { client.callAsync(operation, paramsJson) }

/** [callFuture] with `listener` receiving the call's progress events. */
@OptIn(DelicateCoroutinesApi::class)
fun callFutureWithProgress(
    client: DuctapeClient,
    operation: String,
    paramsJson: String,
    listener: dev.ductape.ffi.ProgressListener,
): CompletableFuture<String> = GlobalScope.future { client.callAsyncWithProgress(operation, paramsJson, listener) }

/** The native library's description (JSON text): operations, error codes, options. */
fun describeJson(): String = describe()

/** Every operation name, without a client. */
fun operationNames(): List<String> = nativeOperationNames()

/** Tasks alive on the core's runtime (for cancellation tests). */
fun aliveTasks(): Long = debugAliveTasks()

/** Async calls whose native future still exists (for cancellation tests). */
fun asyncCallsInFlight(): Long = debugAsyncCallsInFlight()

/**
 * Kotlin coroutines: `ductape.callSuspend("cloud.connections.validate", mapOf("tag" to "prod_atlas"))`.
 * Answers the decoded result or throws the [DuctapeException] for the error code.
 */
suspend fun Ductape.callSuspend(operation: String, params: Any? = null): Any? {
    val request = Ductape.requestJson(params)
    val reply = try {
        nativeClient().callAsync(operation, request)
    } catch (e: IllegalStateException) {
        throw closedOr(e) // a call that raced close(): the same typed error as a call after it
    }
    return Envelope.decode(reply)
}

/**
 * [callSuspend] with `onProgress` receiving the call's progress events (each a Map
 * `{operation, step, done, total?, elapsed_ms, message?}`, on a native runtime thread):
 * `ductape.callSuspend("cloud.connections.syncNetworkAccess", mapOf("tag" to t, "wait" to true)) { e -> ... }`.
 */
suspend fun Ductape.callSuspend(operation: String, params: Any?, onProgress: ((Map<String, Any?>) -> Unit)?): Any? {
    if (onProgress == null) return callSuspend(operation, params)
    val request = Ductape.requestJson(params)
    val listener = Ductape.bridge { event -> onProgress(event) }
    val reply = try {
        nativeClient().callAsyncWithProgress(operation, request, listener)
    } catch (e: IllegalStateException) {
        throw closedOr(e)
    }
    return Envelope.decode(reply)
}

/** `ductape.cloud.connections.callSuspend("validate", mapOf("tag" to tag))` for any namespace. */
suspend fun Namespace.callSuspend(method: String, params: Any? = null): Any? =
    ductape().callSuspend(operationName(method), params)

/** [Namespace.callSuspend] with progress events (see [Ductape.callSuspend]). */
suspend fun Namespace.callSuspend(method: String, params: Any?, onProgress: ((Map<String, Any?>) -> Unit)?): Any? =
    ductape().callSuspend(operationName(method), params, onProgress)
