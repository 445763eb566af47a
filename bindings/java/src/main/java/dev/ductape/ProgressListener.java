package dev.ductape;

import java.util.Map;

/**
 * Receives the progress events of one long call (a sync that waits for Atlas, later an import):
 * each event is a Map {@code {operation, step, done, total?, elapsed_ms, message?}} (the core's
 * {@code ProgressEvent}). It runs on the thread the call runs on (the caller's own for a blocking
 * call, a native runtime thread for an async one) and must return quickly. An exception it throws
 * is logged once and the listener is not called again for that call; the call itself carries on.
 */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(Map<String, Object> event);
}
