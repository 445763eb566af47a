package dev.ductape

import kotlinx.coroutines.delay
import org.junit.jupiter.api.Assertions.assertTrue
import kotlin.time.TimeSource

/** Polls until [condition] holds; the timeout only bounds a hang (no test sleeps for a time). */
internal suspend fun waitFor(timeoutMs: Long = 30_000, condition: () -> Boolean) {
    val start = TimeSource.Monotonic.markNow()
    while (!condition() && start.elapsedNow().inWholeMilliseconds < timeoutMs) delay(5)
    assertTrue(condition(), "condition not reached in $timeoutMs ms")
}
