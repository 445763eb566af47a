package dev.ductape;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed facade of secrets and products: each method reaches its operation with the right request. */
class WorkspaceFacadeTest {
    @TempDir Path workspace;
    Ductape ductape;

    @BeforeEach
    void open() { ductape = Ductape.builder().workspaceDir(workspace).atlasBaseUrl("http://127.0.0.1:9").build(); }

    @AfterEach
    void close() { ductape.close(); }

    @Test
    void secretsFacade() {
        Secrets s = ductape.secrets;
        Map<String, Object> record = s.create(Map.of("key", "MONGO_PW", "value", "pw-1", "scope", List.of("web"), "envs", List.of("dev")));
        assertEquals("MONGO_PW", record.get("key"));
        assertFalse(record.containsKey("value"));
        assertEquals("pw-1", s.fetch("MONGO_PW").get("value"));
        assertEquals("rotated", s.update("MONGO_PW", Map.of("value", "pw-2", "description", "rotated")).get("description"));
        assertEquals(Map.of("value", "u:pw-2@h", "references", List.of("MONGO_PW")), s.resolve("u:$Secret{MONGO_PW}@h", "web", "dev"));
        DuctapeException.PermissionDenied denied = assertThrows(DuctapeException.PermissionDenied.class, () -> s.resolve("$Secret{MONGO_PW}", "billing", "dev"));
        assertEquals("value", denied.getField());
        assertEquals("Secret 'MONGO_PW' is not accessible by app 'billing'", denied.getDetail());
        assertEquals("MONGO_PW", s.fetchAll(Map.of("limit", 1)).get("next_after"));
        assertEquals(true, s.revoke("MONGO_PW").get("revoked"));
        assertThrows(DuctapeException.FailedPrecondition.class, () -> s.fetch("MONGO_PW"));
        assertEquals(Map.of("key", "MONGO_PW", "deleted", true), s.delete("MONGO_PW"));
        DuctapeException.NotFound gone = assertThrows(DuctapeException.NotFound.class, () -> s.fetch("MONGO_PW"));
        assertEquals("Secret 'MONGO_PW' not found", gone.getDetail());
        assertEquals(List.of(), s.fetchAll().get("secrets"));
    }

    @Test
    void productsFacade() throws Exception {
        Products p = ductape.products;
        assertEquals("my-product", p.create(Map.of("name", "My Product")).get("tag"));
        assertEquals("shop", p.update("my-product", Map.of("description", "shop")).get("description"));
        p.environments.create(Map.of("product", "my-product", "slug", "dev"));
        assertEquals("Development", p.environments.update(Map.of("product", "my-product", "env", "dev", "name", "Development")).get("name"));
        assertEquals("Development", p.environments.fetch("my-product", "dev").get("name"));
        assertEquals(1, ((List<?>) p.environments.list("my-product").get("environments")).size());
        p.components.create(Map.of("product", "my-product", "tag", "db-mongo", "type", "mongodb"));
        ductape.secrets.create(Map.of("key", "DEV_URL", "value", "mongodb://u:p@dev/"));
        Map<String, Object> env = new HashMap<>(Map.of("product", "my-product", "component", "db-mongo", "env", "dev"));
        env.put("connection_url", "$Secret{DEV_URL}");
        assertEquals("reference", p.components.setEnv(env).get("connection_url_kind"));
        assertEquals("$Secret{DEV_URL}", p.components.getEnv("my-product", "db-mongo", "dev").get("connection_url"));
        assertEquals("mongodb://u:p@dev/", p.components.resolve("my-product", "db-mongo", "dev", null).get("connection_url"));
        assertEquals("mongodb://u:p@dev/", p.components.resolveAsync("my-product", "db-mongo", "dev", "web").get().get("connection_url"));
        assertEquals(List.of("dev"), p.components.fetch("my-product", "db-mongo").get("envs"));
        env.put("connection_url", "mongodb://lit:pw@h/");
        p.components.setEnv(env);
        DuctapeException.FailedPrecondition held = assertThrows(DuctapeException.FailedPrecondition.class, () -> p.delete("my-product"));
        assertEquals(Map.of("holding", List.of("db-mongo/dev")), held.getDetails());
        assertEquals(1L, p.components.delete("my-product", "db-mongo", true).get("secrets_deleted"));
        assertEquals(true, p.environments.delete("my-product", "dev", false).get("deleted"));
        assertEquals(true, p.delete("my-product").get("deleted"));
        assertEquals(Map.of("products", List.of()), p.list());
    }
}
