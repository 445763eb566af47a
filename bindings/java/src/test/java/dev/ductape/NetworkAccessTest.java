package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network-access facade methods and progress listeners: {@code debug.progress} without a
 * simulator, and {@code syncNetworkAccess(..., wait=true)} against it (blocking and async).
 */
class NetworkAccessTest {
    @TempDir Path workspace;
    Ductape ductape;
    String sim;

    @BeforeEach
    void open() throws IOException {
        sim = System.getenv("DUCTAPE_SIM_URL");
        if (sim != null && !sim.isEmpty()) ConformanceJavaTest.simRequest(sim, "POST", "/__sim/reset", null);
        ductape = Ductape.builder().workspaceDir(workspace)
                .atlasBaseUrl(sim == null || sim.isEmpty() ? "http://127.0.0.1:9" : sim)
                .retryBaseDelayMs(1).debugOperations(true).build();
    }

    @AfterEach
    void close() {
        if (ductape != null) ductape.close();
    }

    private void needSim() {
        if (sim == null || sim.isEmpty()) {
            ConformanceJavaTest.requireSimInCi();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "needs the simulator (set DUCTAPE_SIM_URL)");
        }
    }

    @Test
    void progressEventsReachABlockingAndAnAsyncListener() throws Exception {
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
        Object reply = ductape.call("debug.progress", Map.of("steps", 3), seen::add);
        assertEquals(3L, ((Map<?, ?>) reply).get("reported"));
        assertEquals(List.of(1L, 2L, 3L), seen.stream().map(e -> e.get("done")).collect(Collectors.toList()));
        assertTrue(seen.stream().allMatch(e -> "debug.progress".equals(e.get("operation")) && "tick".equals(e.get("step"))
                && Long.valueOf(3).equals(e.get("total")) && e.get("elapsed_ms") instanceof Long), seen.toString());
        List<Map<String, Object>> async = new CopyOnWriteArrayList<>();
        ductape.callAsync("debug.progress", Map.of("steps", 2), async::add).get();
        assertEquals(List.of(1L, 2L), async.stream().map(e -> e.get("done")).collect(Collectors.toList()));
        // A listener that throws is dropped; the call carries on and answers.
        int[] calls = {0};
        Object out = ductape.call("debug.progress", Map.of("steps", 3), e -> { calls[0]++; throw new IllegalStateException("listener bug"); });
        assertEquals(3L, ((Map<?, ?>) out).get("reported"));
        assertEquals(1, calls[0]);
        // No listener: the plain C ABI call.
        assertEquals(2L, ((Map<?, ?>) ductape.call("debug.progress", Map.of("steps", 2), null)).get("reported"));
    }

    @Test
    void settingsAreCheckedNamingTheEntry() {
        var c = ductape.cloud.connections;
        c.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas"));
        Map<String, Object> n = c.updateManagedNetworking("prod_atlas", Map.of("ductape_proxy_addresses", List.of("203.0.113.7"),
                "allowed_sources", List.of(Map.of("cidr", "2001:DB8::/48", "label", "office", "source", "custom"))));
        assertEquals(List.of("203.0.113.7/32"), ((Map<?, ?>) n.get("networking")).get("ductape_proxy_addresses"));
        var e = assertThrows(DuctapeException.InvalidArgument.class, () -> c.updateManagedNetworking("prod_atlas",
                Map.of("allowed_sources", List.of(Map.of("cidr", "10.0.0.1/24", "label", "x", "source", "custom")))));
        assertEquals("allowed_sources[0].cidr", e.getField());
        assertTrue(e.getDetail().contains("host bits set"), e.getDetail());
        assertEquals(Map.of("host", "192.0.2.1", "addresses", List.of("192.0.2.1")), c.resolveNetworkingHost("192.0.2.1"));
        assertThrows(DuctapeException.FailedPrecondition.class, () -> c.syncNetworkAccess("prod_atlas", null));
    }

    @Test
    void syncWithWaitReportsProgressBlockingAndAsync() throws Exception {
        needSim();
        var c = ductape.cloud.connections;
        c.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas"));
        c.complete("prod_atlas", FacadeSimTest.OWNER_KEY);
        assertEquals(true, c.validate("prod_atlas").get("valid"));
        c.updateManagedNetworking("prod_atlas", Map.of("ductape_proxy_addresses", List.of("203.0.113.1", "203.0.113.2")));
        Map<String, Object> dry = c.syncNetworkAccess("prod_atlas", Map.of("dry_run", true));
        assertEquals(2, ((List<?>) dry.get("added")).size());
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
        Map<String, Object> r = c.syncNetworkAccess("prod_atlas", Map.of("wait", true), seen::add);
        assertEquals(List.of(), r.get("pending"));
        assertEquals(List.of("203.0.113.1/32", "203.0.113.2/32"), r.get("synced_ips"));
        List<Object> steps = seen.stream().map(e -> e.get("step")).distinct().collect(Collectors.toList());
        assertTrue(steps.containsAll(List.of("read_access_list", "add_entries", "wait_active")), steps.toString());
        Map<String, Object> last = seen.get(seen.size() - 1);
        assertEquals(List.of("wait_active", 2L, 2L), List.of(last.get("step"), last.get("done"), last.get("total")));

        c.updateManagedNetworking("prod_atlas", Map.of("ductape_proxy_addresses", List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")));
        List<Map<String, Object>> async = new CopyOnWriteArrayList<>();
        Map<String, Object> ra = c.syncNetworkAccessAsync("prod_atlas", Map.of("wait", true), async::add).get();
        assertEquals(List.of(Map.of("cidr", "203.0.113.3/32", "comment", "Ductape proxy")), ra.get("added"));
        assertTrue(async.stream().anyMatch(e -> "wait_active".equals(e.get("step")) && Long.valueOf(1).equals(e.get("done"))), async.toString());

        Map<String, Object> tmp = c.allowCurrentIp("prod_atlas", Map.of("hours", 1));
        assertEquals(List.of("127.0.0.1/32", true), List.of(tmp.get("cidr"), tmp.get("added")));
        assertEquals("127.0.0.1/32", c.allowCurrentIpAsync("prod_atlas", null).get().get("cidr"));
        var e = assertThrows(DuctapeException.InvalidArgument.class, () -> c.allowCurrentIp("prod_atlas", Map.of("hours", 169)));
        assertEquals("hours", e.getField());
    }
}
