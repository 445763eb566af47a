package examples;

import dev.ductape.Ductape;
import dev.ductape.DuctapeException;
import dev.ductape.Json;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The product page's connection lifecycle in Java: create -> complete -> validate -> fetch -> list
 * (the quick start, tests/packages/java, goes on to cloud.resources.import).
 *
 * <p>Against the simulator by default (DUCTAPE_SIM_URL and the default seed's key); against real
 * Atlas when MONGODB_ATLAS_PROJECT_ID and MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY
 * (or MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET) are set. Secrets are never printed.
 */
public final class Lifecycle {
    /** A URL as printed: user info (up to the last '@') and the query may hold credentials. */
    static String shown(String url) {
        int s = url.indexOf("://");
        String scheme = s < 0 ? "" : url.substring(0, s + 3);
        String rest = s < 0 ? url : url.substring(s + 3);
        int at = rest.lastIndexOf('@');
        if (at >= 0) rest = "[redacted]@" + rest.substring(at + 1);
        return scheme + rest.split("[?#]", 2)[0];
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String tag = env.getOrDefault("DUCTAPE_EXAMPLE_TAG", "prod_atlas");
        Map<String, Object> creds = new LinkedHashMap<>();
        String baseUrl;
        if (env.get("MONGODB_ATLAS_PROJECT_ID") != null) {
            baseUrl = env.get("MONGODB_ATLAS_BASE_URL");
            creds.put("project_id", env.get("MONGODB_ATLAS_PROJECT_ID"));
            if (env.get("MONGODB_ATLAS_CLIENT_ID") != null) {
                creds.put("atlas_client_id", env.get("MONGODB_ATLAS_CLIENT_ID"));
                creds.put("atlas_client_secret", env.getOrDefault("MONGODB_ATLAS_CLIENT_SECRET", ""));
            } else {
                creds.put("atlas_public_key", env.getOrDefault("MONGODB_ATLAS_PUBLIC_API_KEY", ""));
                creds.put("atlas_private_key", env.getOrDefault("MONGODB_ATLAS_PRIVATE_API_KEY", ""));
            }
            System.out.println("Ductape Java example against Atlas at "
                    + shown(baseUrl != null ? baseUrl : "https://cloud.mongodb.com") + " (MONGODB_ATLAS_* variables)");
        } else {
            baseUrl = env.get("DUCTAPE_SIM_URL");
            if (baseUrl == null) {
                System.err.println("set DUCTAPE_SIM_URL (start `target/debug/atlas-sim --port 0`) or the MONGODB_ATLAS_* variables");
                System.exit(2);
            }
            // The default seed's happy-path key (a test value only the simulator accepts).
            creds.put("project_id", "5c843ba379358e5b3dc2dec6");
            creds.put("atlas_public_key", "awqxqtif");
            creds.put("atlas_private_key", "a0403a4f-0151-4922-ae89-523b69cd8e04");
            System.out.println("Ductape Java example against the simulator at " + baseUrl);
        }
        String workspace = env.getOrDefault("DUCTAPE_WORKSPACE_DIR",
                Files.createTempDirectory("ductape-example-java-").toString());

        Ductape.Builder builder = Ductape.builder().workspaceDir(workspace);
        if (baseUrl != null) builder.atlasBaseUrl(baseUrl);
        try (Ductape ductape = builder.build()) {
            show("create", ductape.cloud.connections.create(Map.of(
                    "provider", "mongodb_atlas",
                    "name", tag,
                    "scopes", List.of("database"))));
            show("complete", ductape.cloud.connections.complete(tag, creds));
            Map<String, Object> check = ductape.cloud.connections.validate(tag);
            show("validate", check);
            if (!Boolean.TRUE.equals(check.get("valid"))) {
                // The credentials did not pass: a failure for whoever runs this, so a non-zero exit.
                System.err.println("validation failed: " + check.get("code") + ": " + check.get("message"));
                System.exit(1);
            }
            show("fetch", ductape.cloud.connections.fetch(tag));
            show("list", ductape.cloud.connections.list());
            // The asynchronous form: a CompletableFuture.
            show("fetchAsync", ductape.cloud.connections.fetchAsync(tag).get());
        } catch (DuctapeException e) {
            System.err.println("failed: " + e.getMessage() + (e.getField() != null ? " (field " + e.getField() + ")" : ""));
            System.exit(1);
        }
    }

    private static void show(String label, Object value) {
        System.out.println(label + ": " + Json.write(value));
    }
}
