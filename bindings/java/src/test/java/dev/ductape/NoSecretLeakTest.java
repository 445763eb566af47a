package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets given in the wrong place or the wrong shape never come back through the Java layer:
 * not in an exception's message, toString, detail, details or stack trace (blocking and
 * CompletableFuture), not in the client's or the builder's toString, not in a record.
 */
class NoSecretLeakTest {
    static final String PROJECT_ID = "5c843ba379358e5b3dc2dec6";
    static final String PRIVATE_KEY = "c0ffee00-dead-4bee-8f00-00000ca7a2ee";
    static final String SA_SECRET = "mdb_sa_sk_L3akCanaryJava0123456789";
    static final String PASSWORD = "hunter2-JavaCanary";
    static final String NUMBER = "918273645";
    static final String WORKSPACE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    static final String OTHER_WORKSPACE_KEY = "HxwdGhsYGRYXFBUSExARDg8MDQoLCAkGBwQFAgMAAQI=";
    static final List<String> CANARIES = List.of(PRIVATE_KEY, SA_SECRET, PASSWORD, NUMBER, WORKSPACE_KEY, OTHER_WORKSPACE_KEY);

    @TempDir Path workspace;

    static String describe(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        StringBuilder all = new StringBuilder(t + "\n" + t.getMessage() + "\n" + trace);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DuctapeException) {
                DuctapeException d = (DuctapeException) c;
                all.append('\n').append(d.getDetail()).append('\n').append(d.getField()).append('\n').append(d.getDetails());
            }
        }
        return all.toString();
    }

    static void assertNoCanary(String text) {
        for (String canary : CANARIES) {
            assertFalse(text.contains(canary), "secret in: " + text);
        }
    }

    @Test
    void secretsInTheWrongPlaceNeverComeBack() throws Exception {
        List<String> texts = new ArrayList<>();
        try (Ductape ductape = Ductape.builder().workspaceDir(workspace).atlasBaseUrl("http://127.0.0.1:9")
                .option("workspace_key", WORKSPACE_KEY).build()) {
            texts.add(ductape.toString());
            ductape.cloud.connections.create(Map.of("provider", "mongodb_atlas", "name", "conn"));
            List<Map<String, Object>> bad = List.of(
                    Map.of("project_id", PRIVATE_KEY, "atlas_public_key", "awqxqtif", "atlas_private_key", PRIVATE_KEY),
                    Map.of("project_id", PROJECT_ID, "atlas_public_key", PRIVATE_KEY, "atlas_private_key", PRIVATE_KEY),
                    Map.of("project_id", PROJECT_ID, "atlas_public_key", "awqxqtif", "atlas_private_key", PRIVATE_KEY + "x"),
                    Map.of("project_id", PROJECT_ID, "atlas_client_id", SA_SECRET, "atlas_client_secret", SA_SECRET),
                    Map.of("project_id", PROJECT_ID, "atlas_client_id", PRIVATE_KEY, "atlas_client_secret", SA_SECRET),
                    Map.of("project_id", PROJECT_ID, "atlas_client_id", "mdb_sa_id_62f3375a109c0a5dd6bc4e08",
                            "atlas_client_secret", SA_SECRET + " " + PASSWORD),
                    Map.of("project_id", PROJECT_ID, "atlas_public_key", "awqxqtif", "atlas_private_key", Long.parseLong(NUMBER)),
                    Map.of("project_id", PROJECT_ID, "atlas_client_id", "mdb_sa_id_62f3375a109c0a5dd6bc4e08",
                            "atlas_client_secret", Double.parseDouble(NUMBER + ".5")));
            for (Map<String, Object> params : bad) {
                DuctapeException e = assertThrows(DuctapeException.InvalidArgument.class,
                        () -> ductape.cloud.connections.complete("conn", params));
                texts.add(describe(e));
                CompletionException joined = assertThrows(CompletionException.class,
                        () -> ductape.cloud.connections.completeAsync("conn", params).join());
                texts.add(describe(joined));
                ExecutionException got = assertThrows(ExecutionException.class,
                        () -> ductape.cloud.connections.completeAsync("conn", params).get());
                texts.add(describe(got));
            }
            // nothing was stored by any of them
            Map<String, Object> record = ductape.cloud.connections.fetch("conn");
            texts.add(record.toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) record.get("metadata");
            assertNull(metadata.get("project_id"));
            assertEquals("pending", record.get("status"));
        }
        // options: a connection string as the base URL, workspace keys of the wrong type or shape
        texts.add(describe(assertThrows(DuctapeException.InvalidArgument.class, () -> Ductape.builder().workspaceDir(workspace)
                .atlasBaseUrl("mongodb+srv://admin:" + PASSWORD + "@cluster0.abcde.mongodb.net/?retryWrites=true").build())));
        texts.add(describe(assertThrows(DuctapeException.InvalidArgument.class, () -> Ductape.builder().workspaceDir(workspace)
                .atlasBaseUrl("http://admin:" + PASSWORD + "@cloud.example.com").build())));
        texts.add(describe(assertThrows(DuctapeException.InvalidArgument.class, () -> Ductape.builder().workspaceDir(workspace)
                .option("workspace_key", Long.parseLong(NUMBER)).build())));
        texts.add(describe(assertThrows(DuctapeException.InvalidArgument.class, () -> Ductape.builder().workspaceDir(workspace)
                .option("workspace_key", PASSWORD).build())));
        // the same workspace opened with another key
        try (Ductape other = Ductape.builder().workspaceDir(workspace).atlasBaseUrl("http://127.0.0.1:9")
                .option("workspace_key", OTHER_WORKSPACE_KEY).build()) {
            texts.add(describe(assertThrows(DuctapeException.Workspace.class, () -> other.cloud.connections.list())));
        }
        Ductape.Builder builder = Ductape.builder().option("workspace_key", WORKSPACE_KEY);
        texts.add(builder.toString());
        assertTrue(texts.size() > 30);
        texts.forEach(NoSecretLeakTest::assertNoCanary);
    }
}
