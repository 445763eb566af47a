package dev.ductape;

import dev.ductape.ffi.DuctapeClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The Java entry point: {@code ductape.cloud.connections.create(Map.of(...))}.
 *
 * <p>The namespaces ({@code cloud}, {@code secrets}, {@code products}, {@code workspace}) and their
 * typed methods are generated from the core's operation registry ({@code cargo xtask codegen}).
 * Every method builds a JSON object and calls the Rust core's generic {@link #call}; the reply
 * envelope is decoded here and errors are thrown as the {@link DuctapeException} subclass for the
 * core's error code. Thread-safe: share one instance between threads. Close it (try-with-resources)
 * to release the native handle.
 */
public final class Ductape extends DuctapeNamespaces implements AutoCloseable {
    // The namespace fields (cloud, secrets, products, workspace, ...) are in DuctapeNamespaces,
    // which `cargo xtask codegen` writes from the operation registry.

    private final DuctapeClient client;
    /** The C ABI handle of the blocking path (on the same core as {@link #client}). */
    private final com.sun.jna.Pointer handle;
    /**
     * Blocking calls hold the read lock while they use {@link #handle}; {@link #close()} takes the
     * write lock to release it, so it waits for running blocking calls and none can use a freed handle.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock handleLock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;

    /** Every option at its default ({@code DUCTAPE_WORKSPACE_DIR}, {@code MONGODB_ATLAS_BASE_URL}, ...). */
    public Ductape() {
        this(Map.of());
    }

    /**
     * Options by their JSON names, as {@code docs/operations.md} lists them ({@link #describe()} has
     * them too). Unknown options throw {@link DuctapeException.InvalidArgument}.
     */
    public Ductape(Map<String, ?> options) {
        DuctapeClient opened;
        try {
            opened = new DuctapeClient(Json.write(options == null ? Map.of() : options));
        } catch (Exception e) { // Kotlin throws the generated (checked-in-Java) error without declaring it
            if (e instanceof dev.ductape.ffi.DuctapeException.Failure) {
                dev.ductape.ffi.DuctapeException.Failure f = (dev.ductape.ffi.DuctapeException.Failure) e;
                throw DuctapeException.of(f.getCode(), f.getDetail(), f.getField(), null);
            }
            throw e instanceof RuntimeException ? (RuntimeException) e : DuctapeException.of("internal", e.toString(), null, null);
        }
        this.client = opened;
        this.handle = new com.sun.jna.Pointer(opened.nativeHandle());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs any core operation; answers its result as the core gave it (Map, List, String, Long,
     * Double, Boolean or null), unwrapped, as in every language. The typed facade methods answer Maps.
     */
    public Object call(String operation, Object params) {
        String request = requestJson(params);
        if (!handleLock.readLock().tryLock()) throw closedError(); // close() is under way
        try {
            if (closed) throw closedError();
            return Envelope.decode(CAbi.call(handle, operation, request));
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /**
     * {@link #call(String, Object)} with {@code listener} receiving the call's progress events while it
     * runs (on this thread). A call with a listener goes through uniffi's {@code callWithProgress}
     * instead of the C ABI (a few µs more per call, nothing next to a call long enough to report
     * progress); with a null listener it is the plain call.
     */
    public Object call(String operation, Object params, ProgressListener listener) {
        if (listener == null) return call(operation, params);
        String request = requestJson(params);
        try {
            return Envelope.decode(nativeClient().callWithProgress(operation, request, bridge(listener)));
        } catch (IllegalStateException e) {
            throw closedOr(e);
        }
    }

    /** Runs any core operation asynchronously. Cancelling the future cancels the Rust task. */
    public CompletableFuture<Object> callAsync(String operation, Object params) {
        return callAsync(operation, params, null);
    }

    /**
     * {@link #callAsync(String, Object)} with {@code listener} receiving the call's progress events
     * (on a native runtime thread) while it runs; null for none.
     */
    public CompletableFuture<Object> callAsync(String operation, Object params, ProgressListener listener) {
        CompletableFuture<String> reply;
        try {
            reply = listener == null
                    ? NativeBridge.callFuture(nativeClient(), operation, requestJson(params))
                    : NativeBridge.callFutureWithProgress(nativeClient(), operation, requestJson(params), bridge(listener));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e instanceof IllegalStateException ? closedOr(e) : e);
        }
        CompletableFuture<Object> out = reply.handle((text, error) -> {
            if (error == null) return Envelope.decode(text);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            throw cause instanceof IllegalStateException ? closedOr((IllegalStateException) cause) : new CompletionException(cause);
        });
        out.whenComplete((value, error) -> {
            if (out.isCancelled()) reply.cancel(true); // cancels the coroutine, which aborts the Rust task
        });
        return out;
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("dev.ductape");

    /**
     * The listener as uniffi's callback: the event's JSON decoded to a Map. A listener that throws
     * is logged once and not called again for this call (an exception must not cross into Rust).
     */
    static dev.ductape.ffi.ProgressListener bridge(ProgressListener listener) {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        return new dev.ductape.ffi.ProgressListener() {
            @Override
            @SuppressWarnings("unchecked")
            public void onProgress(String eventJson) {
                if (broken.get()) return;
                try {
                    listener.onProgress((Map<String, Object>) Json.read(eventJson));
                } catch (Throwable t) {
                    broken.set(true);
                    LOG.log(java.util.logging.Level.WARNING, "a progress listener threw; no more events for this call", t);
                }
            }
        };
    }

    /**
     * This artifact's version, the workspace's (scripts/check-versions.sh keeps it equal to the pom's
     * and Cargo.toml's; a test checks it against {@link #nativeVersion()}).
     */
    public static final String VERSION = "0.1.0";

    /** The version of the native library this jar carries. */
    public static String nativeVersion() {
        return dev.ductape.ffi.Ductape_ffiKt.nativeVersion();
    }

    /** The description of the native library: operations (request/reply JSON Schemas), error codes, options. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> describe() {
        return (Map<String, Object>) Json.read(NativeBridge.describeJson());
    }

    /** A namespace by dotted name, e.g. {@code namespace("cloud.network").call("sync", ...)}. */
    public Namespace namespace(String prefix) {
        return new Namespace(this, prefix);
    }

    /** Every operation name the core knows. */
    public List<String> operations() {
        return NativeBridge.operationNames();
    }

    /** The generated uniffi client, for Kotlin users and tests. */
    public DuctapeClient nativeClient() {
        if (closed) throw closedError();
        return client;
    }

    private static DuctapeException closedError() {
        return DuctapeException.of("failed_precondition", "the client is closed", null, null);
    }

    /**
     * A call that raced {@link #close()}: uniffi refuses a destroyed handle with
     * IllegalStateException, which must reach users as the same typed error as a call after close.
     */
    RuntimeException closedOr(RuntimeException e) {
        return closed ? closedError() : e;
    }

    /** Releases the native handles; waits for blocking calls still running on other threads. */
    @Override
    public void close() {
        handleLock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            CAbi.ductape_handle_release(handle);
        } finally {
            handleLock.writeLock().unlock();
        }
        client.close();
    }

    /** A request's JSON text; null params are the empty object, as the core expects. */
    static String requestJson(Object params) {
        return Json.write(params == null ? Map.of() : params);
    }

    /** A product operation's result, which is always an object (the core's registry tests it). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(String operation, Object result) {
        if (result instanceof Map) {
            return (Map<String, Object>) result;
        }
        throw DuctapeException.of("internal", operation + " answered a non-object result; use Ductape.call", null, null);
    }

    /** {@code source.thenApply(fn)} whose cancellation also cancels {@code source}. */
    static <T, R> CompletableFuture<R> linked(CompletableFuture<T> source, Function<? super T, ? extends R> fn) {
        CompletableFuture<R> out = source.thenApply(fn);
        out.whenComplete((value, error) -> {
            if (out.isCancelled()) {
                source.cancel(true);
            }
        });
        return out;
    }

    /** Typed options: one setter per option of the core (a test checks them against {@link #describe()}). */
    public static final class Builder {
        private final Map<String, Object> options = new LinkedHashMap<>();

        public Builder workspaceDir(Path dir) { options.put("workspace_dir", dir.toString()); return this; }
        public Builder workspaceDir(String dir) { options.put("workspace_dir", dir); return this; }
        public Builder atlasBaseUrl(String url) { options.put("atlas_base_url", url); return this; }
        public Builder requestTimeoutMs(long ms) { options.put("request_timeout_ms", ms); return this; }
        public Builder connectTimeoutMs(long ms) { options.put("connect_timeout_ms", ms); return this; }
        public Builder maxRetries(int n) { options.put("max_retries", n); return this; }
        public Builder retryBaseDelayMs(long ms) { options.put("retry_base_delay_ms", ms); return this; }
        /** The workspace key (base64 of 32 bytes); default {@code $DUCTAPE_WORKSPACE_KEY}, else the workspace's key file. */
        public Builder workspaceKey(String base64Key) { options.put("workspace_key", base64Key); return this; }
        /** A file holding the workspace key (e.g. a mounted secret), readable by its owner only. */
        public Builder workspaceKeyFile(Path file) { options.put("workspace_key_file", file.toString()); return this; }
        public Builder workspaceKeyFile(String file) { options.put("workspace_key_file", file); return this; }
        /** A PostgreSQL database for the workspace ({@code postgres://...}, a secret); default {@code $DUCTAPE_WORKSPACE_URL}, else the SQLite workspace. */
        public Builder workspaceUrl(String url) { options.put("workspace_url", url); return this; }
        /** The largest Atlas answer body read (default 16 MiB). */
        public Builder maxResponseBytes(long bytes) { options.put("max_response_bytes", bytes); return this; }
        /** A PEM file of CA certificates to trust besides the roots (e.g. a corporate proxy's CA); default {@code $DUCTAPE_CA_FILE}. */
        public Builder caFile(Path file) { options.put("ca_file", file.toString()); return this; }
        public Builder caFile(String file) { options.put("ca_file", file); return this; }
        /** The CA file that verifying a cluster's string trusts instead of the public roots (a driver's tlsCAFile); default {@code $DUCTAPE_CLUSTER_CA_FILE}. */
        public Builder clusterCaFile(Path file) { options.put("cluster_ca_file", file.toString()); return this; }
        public Builder clusterCaFile(String file) { options.put("cluster_ca_file", file); return this; }
        /** The trust roots: {@code "bundled"} (default, the Mozilla roots built in) or {@code "system"} (the OS trust store). */
        public Builder tlsRoots(String roots) { options.put("tls_roots", roots); return this; }
        public Builder debugOperations(boolean on) { options.put("debug_operations", on); return this; }
        /** Any option by its JSON name. */
        public Builder option(String name, Object value) { options.put(name, value); return this; }
        public Ductape build() { return new Ductape(options); }
    }
}
