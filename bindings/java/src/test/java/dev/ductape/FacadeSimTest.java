package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every method of the Java facade over real HTTP against the simulator (DUCTAPE_SIM_URL, which
 * scripts/test-bindings.sh sets; with CI set a missing simulator fails), and the cancellation of a
 * real Atlas call held by the simulator's delay fault.
 */
class FacadeSimTest {
    static final String PROJECT = "5c843ba379358e5b3dc2dec6";
    static final Map<String, Object> OWNER_KEY = Map.of("project_id", PROJECT,
            "atlas_public_key", "awqxqtif", "atlas_private_key", "a0403a4f-0151-4922-ae89-523b69cd8e04");
    static final String IDENTITY = "prod-project (org a0123456789abcdef012345a)";

    @TempDir Path workspace;
    Ductape ductape;
    String sim;

    @BeforeEach
    void open() throws IOException {
        sim = System.getenv("DUCTAPE_SIM_URL");
        if (sim == null || sim.isEmpty()) {
            ConformanceJavaTest.requireSimInCi();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "needs the simulator (set DUCTAPE_SIM_URL)");
        }
        ConformanceJavaTest.simRequest(sim, "POST", "/__sim/reset", null);
        ductape = Ductape.builder().workspaceDir(workspace).atlasBaseUrl(sim).retryBaseDelayMs(1).build();
    }

    @AfterEach
    void close() {
        if (ductape != null) ductape.close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> record) {
        return (Map<String, Object>) record.get("metadata");
    }

    @Test
    void everyBlockingMethodOverHttp() {
        var c = ductape.cloud.connections;
        Map<String, Object> created = c.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas", "scopes", List.of("database")));
        assertEquals("pending", created.get("status"));
        Map<String, Object> completed = c.complete("prod_atlas", OWNER_KEY);
        assertEquals(Map.of("project_id", PROJECT, "atlas_public_key", "awqxqtif", "has_atlas_private_key", true,
                "auth_method", "api_key", "atlas_base_url", sim,
                "credentials_updated_at", metadata(completed).get("credentials_updated_at")), metadata(completed));
        Map<String, Object> check = c.validate("prod_atlas");
        assertEquals(true, check.get("valid"), check.toString());
        assertEquals(IDENTITY, check.get("account_identifier"));
        assertEquals(List.of("credentials", "api_access_list", "project", "role"),
                ((List<?>) check.get("checks")).stream().map(x -> ((Map<?, ?>) x).get("name")).collect(java.util.stream.Collectors.toList()));
        Map<String, Object> fetched = c.fetch("prod_atlas");
        assertEquals("active", fetched.get("status"));
        assertEquals("prod-project", metadata(fetched).get("project_name"));
        assertFalse(metadata(fetched).containsKey("atlas_private_key"));
        assertEquals(List.of("prod_atlas"), tags(c.list()));
        assertEquals(List.of("prod_atlas"), tags(c.list(Map.of("status", "active"))));
        assertEquals(List.of(), tags(c.list(Map.of("status", "error"))));
        Map<String, Object> updated = c.update("prod_atlas", Map.of("display_name", "Production"));
        assertEquals(List.of("Production", "active"), List.of(updated.get("display_name"), updated.get("status")));
        Map<String, Object> deleted = c.delete("prod_atlas");
        assertEquals(List.of("prod_atlas", true), List.of(deleted.get("tag"), deleted.get("deleted")));
        assertThrows(DuctapeException.NotFound.class, () -> c.validate("prod_atlas"));
    }

    @Test
    void everyAsyncMethodOverHttp() throws Exception {
        var c = ductape.cloud.connections;
        assertEquals("pending", c.createAsync(Map.of("provider", "mongodb_atlas", "name", "prod_atlas")).get().get("status"));
        assertEquals("pending", c.completeAsync("prod_atlas", OWNER_KEY).get().get("status"));
        assertEquals(true, c.validateAsync("prod_atlas").get().get("valid"));
        assertEquals("active", c.fetchAsync("prod_atlas").get().get("status"));
        assertEquals(List.of("prod_atlas"), tags(c.listAsync(Map.of("provider", "mongodb_atlas")).get()));
        assertEquals("Prod", c.updateAsync("prod_atlas", Map.of("display_name", "Prod")).get().get("display_name"));
        assertEquals(true, c.deleteAsync("prod_atlas").get().get("deleted"));
        CompletionException gone = assertThrows(CompletionException.class, () -> c.fetchAsync("prod_atlas").join());
        assertInstanceOf(DuctapeException.NotFound.class, gone.getCause());
    }

    @Test
    void aFailedValidationIsAnAnswerNotAnException() {
        var c = ductape.cloud.connections;
        c.create(Map.of("provider", "mongodb_atlas", "name", "ro"));
        c.complete("ro", Map.of("project_id", PROJECT, "atlas_public_key", "rdonlyky", "atlas_private_key", "bfd1494b-ab37-4a06-941b-e554ca5ddad1"));
        Map<String, Object> check = c.validate("ro");
        assertEquals(List.of(false, "error", "atlas_missing_role"), List.of(check.get("valid"), check.get("status"), check.get("code")));
    }

    @Test
    void cancellingAValidationHeldByAtlasStopsTheRustTask() throws Exception {
        var c = ductape.cloud.connections;
        c.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas"));
        c.complete("prod_atlas", OWNER_KEY);
        // Atlas holds the credentials request for a minute.
        ConformanceJavaTest.simRequest(sim, "POST", "/__sim/faults",
                Map.of("route", "GET /api/atlas/v2", "kind", "delay", "delay_ms", 60_000, "count", 1));
        long calls = NativeBridge.asyncCallsInFlight();
        long before = NativeBridge.aliveTasks();
        CompletableFuture<Map<String, Object>> validating = c.validateAsync("prod_atlas");
        DuctapeTest.waitFor(() -> ConformanceJavaTest.simFaultsLeft(sim) == 0, 30_000); // the request reached the simulator
        DuctapeTest.waitFor(() -> NativeBridge.aliveTasks() >= before + 1, 30_000);
        long peak = NativeBridge.aliveTasks();
        assertTrue(validating.cancel(true));
        assertThrows(CancellationException.class, validating::join);
        DuctapeTest.waitFor(() -> NativeBridge.asyncCallsInFlight() == calls, 30_000);
        DuctapeTest.waitFor(() -> NativeBridge.aliveTasks() <= peak - 1, 30_000);
        // The cancelled validation changed nothing; the next one runs normally.
        assertEquals("pending", c.fetch("prod_atlas").get("status"));
        assertEquals(true, c.validate("prod_atlas").get("valid"));
    }

    @Test
    void sec16AtlasDeprecationWarningsReachJavaLogging() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { seen.add(r.getLevel() + " " + r.getMessage()); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Envelope.LOGGER.addHandler(handler);
        ConformanceJavaTest.simRequest(sim, "POST", "/__sim/config", Map.of("deprecated_versions", List.of("2023-01-01")));
        try {
            var c = ductape.cloud.connections;
            c.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas"));
            c.complete("prod_atlas", OWNER_KEY);
            assertEquals(true, c.validate("prod_atlas").get("valid"));
            assertEquals(2, seen.size(), seen.toString());
            assertTrue(seen.get(0).startsWith("WARNING atlas_api_deprecated: Atlas reports API version 2023-01-01 of GET /api/atlas/v2"), seen.toString());
            seen.clear();
            c.fetch("prod_atlas");
            assertEquals(List.of(), seen);
        } finally {
            Envelope.LOGGER.removeHandler(handler);
            ConformanceJavaTest.simRequest(sim, "POST", "/__sim/config", Map.of("deprecated_versions", List.of()));
        }
    }

    static List<Object> tags(Map<String, Object> list) {
        return ((List<?>) list.get("connections")).stream().map(x -> ((Map<?, ?>) x).get("tag")).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void importsAClusterThroughTheResourcesFacade() {
        ductape.cloud.connections.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas"));
        ductape.cloud.connections.complete("prod_atlas", OWNER_KEY);
        assertEquals(true, ductape.cloud.connections.validate("prod_atlas").get("valid"));
        assertEquals("atlas-cluster", ((Map<?, ?>) ((java.util.List<?>) ductape.cloud.resources.services("prod_atlas").get("services")).get(0)).get("service"));
        assertEquals(7, ((java.util.List<?>) ductape.cloud.resources.list("prod_atlas", "atlas-cluster").get("resources")).size());
        ductape.products.create(Map.of("name", "My Product"));
        ductape.products.environments.create(Map.of("product", "my-product", "slug", "prd"));
        Map<String, Object> target = Map.of("cloud", "prod_atlas", "service", "atlas-cluster", "type", "databases",
                "product", "my-product", "component", "db-mongo", "env", "prd", "resource", "Cluster0");
        Map<String, Object> imported = ductape.cloud.resources.importResource(target);
        assertEquals("ATLAS_PROD_ATLAS_MY_PRODUCT_DB_MONGO_PRD_URL", imported.get("secret_key"));
        assertFalse(imported.toString().contains("@cluster0"), "the reply never carries the credentialed string");
        String url = (String) ductape.products.components.resolve("my-product", "db-mongo", "prd", null).get("connection_url");
        assertTrue(url.startsWith("mongodb+srv://ductape-prod-atlas-my-product-db-mongo-prd:"), "the user is in the string");
        // The simulator's SRV name does not resolve here: verify says the cluster is out of reach.
        DuctapeException.Network unreachable = assertThrows(DuctapeException.Network.class, () -> ductape.cloud.resources.verify(
                Map.of("product", "my-product", "component", "db-mongo", "env", "prd", "timeout_ms", 2000)));
        assertTrue(unreachable.getMessage().contains("could not reach cluster 'Cluster0'"), unreachable.getMessage());
        Map<String, Object> unlinked = ductape.cloud.resources.unlink(Map.of("cloud", "prod_atlas", "product", "my-product", "component", "db-mongo", "env", "prd"));
        assertEquals(true, unlinked.get("user_deleted"));
    }
}
