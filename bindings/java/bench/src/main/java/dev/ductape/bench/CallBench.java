package dev.ductape.bench;

import dev.ductape.Ductape;
import dev.ductape.NativeBridge;
import dev.ductape.ffi.DuctapeClient;
import dev.ductape.ffi.Ductape_ffiKt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.BuildersKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-call latency of blocking calls from Java (SampleTime: each call timed, percentiles kept):
 * {@code debug.echo} of a small value and {@code cloud.connections.fetch} of one connection in a
 * temporary workspace (no network), through the facade ({@link Ductape#call}: Map to JSON, native
 * call, envelope decode) and through the generated uniffi client ({@link DuctapeClient#call}:
 * JSON text in, JSON text out); and, as the FFI's floor, two uniffi functions with no operation
 * behind them ({@code debugAliveTasks()} answers an integer, {@code nativeVersion()} a String).
 * The Kotlin facade's {@code callSuspend} (uniffi's async call, awaited by a coroutine) is measured
 * as a Kotlin caller without a coroutine of its own would reach it: one {@code runBlocking} per call.
 * scripts/bench-bindings.sh runs this class twice: SampleTime (median, p99) and Throughput from 1
 * and 8 threads ({@code -bm thrpt -t 8}: the threads share the one client).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallBench {
    static final Map<String, Object> ECHO = Map.of("value", Map.of("a", 1, "b", "two"));
    static final String ECHO_JSON = "{\"value\":{\"a\":1,\"b\":\"two\"}}";
    static final Map<String, Object> FETCH = Map.of("tag", "bench");
    static final String FETCH_JSON = "{\"tag\":\"bench\"}";

    Path workspace;
    Ductape ductape;
    DuctapeClient client;

    @Setup
    public void open() throws IOException {
        workspace = Files.createTempDirectory("ductape-bench-java-");
        ductape = Ductape.builder().workspaceDir(workspace).debugOperations(true).build();
        ductape.call("cloud.connections.create", Map.of("provider", "mongodb_atlas", "name", "bench"));
        client = ductape.nativeClient();
        if (!client.call("cloud.connections.fetch", FETCH_JSON).startsWith("{\"ok\":true")) {
            throw new IllegalStateException("fetch failed");
        }
    }

    @TearDown
    public void close() throws IOException {
        ductape.close();
        try (Stream<Path> paths = Files.walk(workspace)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Object facadeEcho() {
        return ductape.call("debug.echo", ECHO);
    }

    @Benchmark
    public String nativeEcho() {
        return client.call("debug.echo", ECHO_JSON);
    }

    @Benchmark
    public Object facadeFetch() {
        return ductape.call("cloud.connections.fetch", FETCH);
    }

    @Benchmark
    public String nativeFetch() {
        return client.call("cloud.connections.fetch", FETCH_JSON);
    }

    @Benchmark
    public Object kotlinSuspendEcho() throws InterruptedException {
        return BuildersKt.runBlocking(EmptyCoroutineContext.INSTANCE,
            (scope, cont) -> NativeBridge.callSuspend(ductape, "debug.echo", ECHO, cont));
    }

    @Benchmark
    public Object kotlinSuspendFetch() throws InterruptedException {
        return BuildersKt.runBlocking(EmptyCoroutineContext.INSTANCE,
            (scope, cont) -> NativeBridge.callSuspend(ductape, "cloud.connections.fetch", FETCH, cont));
    }

    /** The FFI's floor: a uniffi function that answers an integer (no string crosses). */
    @Benchmark
    public long floorAliveTasks() {
        return Ductape_ffiKt.debugAliveTasks();
    }

    /** The FFI's floor with one String lifted from a RustBuffer (and the buffer freed). */
    @Benchmark
    public String floorNativeVersion() {
        return Ductape_ffiKt.nativeVersion();
    }
}
