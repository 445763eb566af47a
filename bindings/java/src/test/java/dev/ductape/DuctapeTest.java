package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DuctapeTest {
    @TempDir Path workspace;
    Ductape ductape;

    @BeforeEach
    void open() {
        ductape = Ductape.builder().workspaceDir(workspace).atlasBaseUrl("http://127.0.0.1:9").debugOperations(true).build();
    }

    @AfterEach
    void close() {
        ductape.close();
    }

    static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(condition.getAsBoolean(), "condition not reached in " + timeoutMs + " ms");
    }

    @Test
    void theVersionIsTheNativeLibrarysVersion() {
        assertEquals(Ductape.VERSION, Ductape.nativeVersion());
    }

    @Test
    void genericCallRoundTripsJson() {
        Map<String, Object> value = Map.of("a", List.of(1L, 2.5, true), "s", "h\u00e9llo \u2603");
        assertEquals(value, ductape.call("debug.echo", Map.of("value", value)));
        assertEquals(Map.of("slept_ms", 1L), ductape.namespace("debug").call("sleep", Map.of("ms", 1)));
    }

    /** Every error code of the native library (from its description, so a code added in Rust fails here until Java has it). */
    @SuppressWarnings("unchecked")
    static List<String> coreErrorCodes() {
        List<String> codes = new ArrayList<>();
        for (Object c : (List<Object>) Ductape.describe().get("error_codes")) codes.add((String) ((Map<String, Object>) c).get("code"));
        assertTrue(codes.size() >= 16, codes.toString());
        return codes;
    }

    @ParameterizedTest
    @MethodSource("coreErrorCodes")
    void eachErrorCodeThrowsItsSubclass(String code) {
        DuctapeException e = assertThrows(DuctapeException.class,
                () -> ductape.call("debug.error", Map.of("code", code, "message", "made", "field", "f")));
        assertEquals(code, e.getCode());
        assertEquals("made", e.getDetail());
        assertEquals("f", e.getField());
        assertTrue(e.getClass() != DuctapeException.class, "no DuctapeException subclass for the core's code " + code);
        assertEquals(e.getClass(), DuctapeException.of(code, "", null, null).getClass());
        assertEquals(DuctapeException.class, e.getClass().getEnclosingClass());
        assertEquals(pascal(code), e.getClass().getSimpleName(), "the class of " + code);
    }

    @Test
    void aDifferentTagInParamsIsRefusedNotPreferred() {
        ductape.cloud.connections.create(Map.of("provider", "mongodb_atlas", "name", "one"));
        ductape.cloud.connections.create(Map.of("provider", "mongodb_atlas", "name", "two"));
        Map<String, Object> other = Map.of("tag", "two", "display_name", "Changed");
        Map<String, Object> otherKey = Map.of("tag", "two", "project_id", "5c843ba379358e5b3dc2dec6",
                "atlas_public_key", "awqxqtif", "atlas_private_key", "a0403a4f-0151-4922-ae89-523b69cd8e04");
        assertEquals("tag", assertThrows(DuctapeException.InvalidArgument.class,
                () -> ductape.cloud.connections.update("one", other)).getField());
        assertEquals("tag", assertThrows(DuctapeException.InvalidArgument.class,
                () -> ductape.cloud.connections.complete("one", otherKey)).getField());
        CompletionException async = assertThrows(CompletionException.class,
                () -> ductape.cloud.connections.updateAsync("one", other).join());
        assertInstanceOf(DuctapeException.InvalidArgument.class, async.getCause());
        Map<String, Object> two = ductape.cloud.connections.fetch("two");
        assertEquals("two", two.get("display_name"));
        assertEquals(null, ((Map<?, ?>) two.get("metadata")).get("project_id"));
        assertEquals("one", ductape.cloud.connections.fetch("one").get("display_name"));
        // the same tag in both places is fine
        assertEquals("Same", ductape.cloud.connections.update("one", Map.of("tag", "one", "display_name", "Same")).get("display_name"));
    }

    @Test
    void panicBecomesInternalAndTheJvmSurvives() {
        for (int i = 0; i < 3; i++) {
            DuctapeException.Internal e = assertThrows(DuctapeException.Internal.class,
                    () -> ductape.call("debug.panic", Map.of("message", "boom")));
            assertTrue(e.getDetail().contains("boom"), e.getDetail());
        }
        CompletionException async = assertThrows(CompletionException.class,
                () -> ductape.callAsync("debug.panic", Map.of("message", "async boom")).join());
        assertInstanceOf(DuctapeException.Internal.class, async.getCause());
        assertEquals("alive", ductape.call("debug.echo", Map.of("value", "alive")));
    }

    @Test
    void badOptionsThrowInvalidArgument() {
        DuctapeException.InvalidArgument e = assertThrows(DuctapeException.InvalidArgument.class,
                () -> new Ductape(Map.of("no_such_option", 1)));
        assertEquals("no_such_option", e.getField());
        assertThrows(DuctapeException.InvalidArgument.class, () -> new Ductape(Map.of("request_timeout_ms", "fast")));
    }

    @Test
    void optionsMapAcceptsAPath() {
        try (Ductape d = new Ductape(Map.of("workspace_dir", workspace.resolve("p"), "debug_operations", true))) {
            assertEquals(1L, d.call("debug.echo", Map.of("value", 1)));
        }
    }

    @Test
    void invalidArgumentNamesTheField() {
        DuctapeException.InvalidArgument e = assertThrows(DuctapeException.InvalidArgument.class,
                () -> ductape.call("debug.sleep", Map.of("ms", "soon")));
        assertEquals("ms", e.getField());
    }

    @Test
    void namespacesForwardToTheCore() {
        // An operation the core does not have (yet) is an UnknownOperation naming it.
        DuctapeException.UnknownOperation e = assertThrows(DuctapeException.UnknownOperation.class,
                () -> ductape.cloud.namespace("future").call("import", Map.of("cloud", "prod_atlas")));
        assertTrue(e.getDetail().contains("cloud.future.import"), e.getDetail());
        DuctapeException.UnknownOperation sync = assertThrows(DuctapeException.UnknownOperation.class,
                () -> ductape.cloud.namespace("network").call("sync", Map.of("tag", "prod_atlas")));
        assertTrue(sync.getDetail().contains("cloud.network.sync"), sync.getDetail());
        assertEquals("cloud.connections.validate", ductape.cloud.connections.operationName("validate"));
    }

    @Test
    void operationsListsTheCore() {
        assertTrue(ductape.operations().contains("debug.echo"));
    }

    /** {@code rotateKey} -> {@code RotateKey}, {@code invalid_argument} -> {@code InvalidArgument}. */
    static String pascal(String s) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : s.toCharArray()) {
            if (c == '_' || c == '-') { upper = true; continue; }
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = false;
        }
        return out.toString();
    }

    static String camel(String s) {
        String p = pascal(s);
        return Character.toLowerCase(p.charAt(0)) + p.substring(1);
    }

    /**
     * Every operation of the native library's description (the debug ones aside) has its typed
     * method, reached through the namespace fields ({@code ductape.cloud.connections.create}), in
     * four forms: blocking and {@code ...Async}, each also taking a {@link ProgressListener}. The
     * facade is generated from the registry ({@code cargo xtask codegen}); this catches a jar whose
     * facade lags its native library, or a generated method deleted by hand. A Java keyword takes
     * the namespace's name, singular, after it ({@code import} -> {@code importResource}).
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyOperationHasATypedMethod() throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Object o : (List<Object>) Ductape.describe().get("operations")) {
            Map<String, Object> op = (Map<String, Object>) o;
            if (Boolean.TRUE.equals(op.get("debug_only"))) continue;
            String name = (String) op.get("name");
            String[] path = name.split("\\.");
            Object namespace = ductape;
            try {
                for (int i = 0; i < path.length - 1; i++) {
                    java.lang.reflect.Field field = namespace.getClass().getField(camel(path[i]));
                    namespace = field.get(namespace);
                }
            } catch (NoSuchFieldException e) {
                missing.add(name + ": no namespace field " + e.getMessage());
                continue;
            }
            String prefix = name.substring(0, name.lastIndexOf('.'));
            if (!((Namespace) namespace).getPrefix().equals(prefix)) {
                missing.add(name + ": the namespace's prefix is " + ((Namespace) namespace).getPrefix());
            }
            String segment = path[path.length - 1];
            String method = camel(segment);
            if (javax.lang.model.SourceVersion.isKeyword(method)) {
                String ns = path[path.length - 2];
                method += pascal(ns.endsWith("s") ? ns.substring(0, ns.length() - 1) : ns);
            }
            java.lang.reflect.Method[] methods = namespace.getClass().getMethods();
            for (String form : List.of(method, method + "Async")) {
                Class<?> returns = form.endsWith("Async") ? CompletableFuture.class : Map.class;
                List<java.lang.reflect.Method> found = new ArrayList<>();
                for (java.lang.reflect.Method m : methods) {
                    if (m.getName().equals(form) && m.getReturnType() == returns && m.getDeclaringClass() == namespace.getClass()) found.add(m);
                }
                boolean plain = found.stream().anyMatch(m -> !List.of(m.getParameterTypes()).contains(ProgressListener.class));
                boolean listener = found.stream().anyMatch(m -> m.getParameterCount() > 0
                        && m.getParameterTypes()[m.getParameterCount() - 1] == ProgressListener.class);
                if (!plain) missing.add(name + ": no " + namespace.getClass().getSimpleName() + "." + form + "(...)");
                if (!listener) missing.add(name + ": no " + namespace.getClass().getSimpleName() + "." + form + "(..., ProgressListener)");
            }
            checked++;
        }
        assertTrue(missing.isEmpty(), "the Java facade lacks (run `cargo xtask codegen`):\n" + String.join("\n", missing));
        assertTrue(checked >= 40, "only " + checked + " operations in the description");
    }

    /** The generated typed method of an operation the hand-written facade lacked. */
    @Test
    void workspaceRotateKeyHasATypedMethod() throws Exception {
        ductape.secrets.create(Map.of("key", "K", "value", "v"));
        List<Map<String, Object>> events = new ArrayList<>();
        Map<String, Object> rotated = ductape.workspace.rotateKey(null, events::add);
        assertEquals(1L, rotated.get("rotated"));
        assertEquals("workspace_file", rotated.get("key_source"));
        assertEquals(true, rotated.get("key_stored"));
        assertEquals(1L, ductape.workspace.rotateKeyAsync().get(30, TimeUnit.SECONDS).get("rotated"));
        assertEquals("v", ductape.secrets.fetch("K").get("value"));
    }

    @Test
    void closedClientThrows() {
        ductape.close();
        assertThrows(DuctapeException.FailedPrecondition.class, () -> ductape.call("debug.echo", Map.of()));
        CompletionException async = assertThrows(CompletionException.class, () -> ductape.callAsync("debug.echo", Map.of()).join());
        assertInstanceOf(DuctapeException.FailedPrecondition.class, async.getCause());
        assertThrows(DuctapeException.FailedPrecondition.class, () -> ductape.cloud.connections.list());
        ductape.close(); // idempotent
    }

    @Test
    void aCloseThatRacesCallsGivesOnlyTheTypedError() throws Exception {
        for (int round = 0; round < 20; round++) {
            Ductape d = Ductape.builder().workspaceDir(workspace.resolve("race" + round)).debugOperations(true).build();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final boolean async = t % 2 == 0;
                done.add(pool.submit(() -> {
                    running.countDown();
                    for (int i = 0; i < 2_000; i++) {
                        try {
                            Object r = async ? d.callAsync("debug.echo", Map.of("value", i)).join() : d.call("debug.echo", Map.of("value", i));
                            assertEquals((long) i, r);
                        } catch (DuctapeException.FailedPrecondition closed) {
                            return;
                        } catch (CompletionException e) {
                            if (e.getCause() instanceof DuctapeException.FailedPrecondition) return;
                            unexpected.add(e.getCause());
                            return;
                        } catch (Throwable e) {
                            unexpected.add(e);
                            return;
                        }
                    }
                }));
            }
            running.await();
            d.close();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertTrue(unexpected.isEmpty(), () -> "a call racing close() threw " + unexpected.peek());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBuilderHasASetterForEveryCoreOption() {
        Map<String, Object> options = (Map<String, Object>) Ductape.describe().get("options");
        for (String option : ((Map<String, Object>) options.get("properties")).keySet()) {
            StringBuilder camel = new StringBuilder();
            for (String part : option.split("_")) camel.append(camel.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            assertTrue(java.util.Arrays.stream(Ductape.Builder.class.getMethods()).anyMatch(m -> m.getName().equals(camel.toString())),
                    "Ductape.Builder has no " + camel + "(...) for the core's option " + option);
        }
        try (Ductape d = Ductape.builder().workspaceDir(workspace.resolve("k")).workspaceKey("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
                .retryBaseDelayMs(10).debugOperations(true).build()) {
            assertEquals(Map.of(), d.cloud.connections.list().get("connections") instanceof List ? Map.of() : null);
        }
        DuctapeException.InvalidArgument e = assertThrows(DuctapeException.InvalidArgument.class,
                () -> Ductape.builder().retryBaseDelayMs(60_001).build());
        assertEquals("retry_base_delay_ms", e.getField());
    }

    @Test
    void resultsArriveUnwrappedAndFacadesAnswerMaps() {
        assertEquals(7L, ductape.namespace("debug").call("echo", Map.of("value", 7)));
        assertEquals(List.of("x"), ductape.call("debug.echo", Map.of("value", List.of("x"))));
        assertEquals(List.of(), ductape.cloud.connections.list().get("connections"));
    }

    @Test
    void completableFutureResultsAndErrors() {
        assertEquals(Map.of("slept_ms", 5L), ductape.callAsync("debug.sleep", Map.of("ms", 5)).join());
        CompletionException e = assertThrows(CompletionException.class,
                () -> ductape.callAsync("debug.error", Map.of("code", "not_found")).join());
        assertInstanceOf(DuctapeException.NotFound.class, e.getCause());
        CompletionException imp = assertThrows(CompletionException.class,
                () -> ductape.cloud.namespace("future").callAsync("import", Map.of()).join());
        assertInstanceOf(DuctapeException.UnknownOperation.class, imp.getCause());
    }

    @Test
    void cancellingACompletableFutureStopsTheRustTask() throws Exception {
        // Other tasks may live on the runtime (HTTP keep-alive connections of the conformance
        // tests), so count ours: 5 futures, 5 more tasks at the peak, 5 fewer after cancelling.
        long calls = NativeBridge.asyncCallsInFlight();
        String name = "java-future-cancel";
        // Five calls waiting for a seventh party that never comes; a probe (the sixth) meets them
        // all, so they are running inside the operation when they are cancelled.
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(ductape.callAsync("debug.rendezvous", Map.of("name", name, "parties", 7, "timeout_ms", 60_000)));
        }
        Object probe = ductape.call("debug.rendezvous", Map.of("name", name, "parties", 6, "timeout_ms", 30_000));
        assertEquals(true, ((Map<?, ?>) probe).get("met"), "the calls to cancel never ran: " + probe);
        assertEquals(calls + 5, NativeBridge.asyncCallsInFlight(), "the 5 calls to cancel are still in flight");
        long peak = NativeBridge.aliveTasks();
        for (CompletableFuture<Object> f : futures) assertTrue(f.cancel(true));
        for (CompletableFuture<Object> f : futures) assertThrows(CancellationException.class, f::join);
        waitFor(() -> NativeBridge.asyncCallsInFlight() == calls, 30_000);
        waitFor(() -> NativeBridge.aliveTasks() <= peak - 5, 30_000);
        // They left the operation: one more call of that name finds nobody there.
        assertEquals(Map.of("met", false, "arrived", 1L),
                ductape.call("debug.rendezvous", Map.of("name", name, "parties", 2, "timeout_ms", 100)));
        assertEquals(Map.of("slept_ms", 1L), ductape.callAsync("debug.sleep", Map.of("ms", 1)).join());
    }

    @Test
    void manyThreadsAtOnce() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> done = new ArrayList<>();
        Map<String, Object> party = Map.of("name", "java-threads-16", "parties", threads, "timeout_ms", 60_000);
        for (int t = 0; t < threads; t++) {
            final int n = t;
            done.add(pool.submit(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        assertEquals(List.of((long) n, (long) i), ductape.call("debug.echo", Map.of("value", List.of(n, i))));
                        assertThrows(DuctapeException.Conflict.class, () -> ductape.call("debug.error", Map.of("code", "conflict")));
                    }
                    // All 16 blocking calls are in flight at once: they meet (no timing involved).
                    assertEquals(true, ((Map<?, ?>) ductape.call("debug.rendezvous", party)).get("met"));
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertTrue(failures.isEmpty(), () -> failures.peek().toString());
    }
}
