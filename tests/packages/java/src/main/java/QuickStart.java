import dev.ductape.Ductape;
import java.util.List;
import java.util.Map;

/**
 * The quick start in Java (bindings/java/README.md): the product page's calls against the simulator
 * that {@code ductape sim} starts, with the default seed's test key. Options come from the
 * environment: MONGODB_ATLAS_BASE_URL and DUCTAPE_CLUSTER_CA_FILE (both printed by {@code ductape sim})
 * and DUCTAPE_WORKSPACE_DIR.
 */
public final class QuickStart {
    public static void main(String[] args) {
        try (Ductape ductape = new Ductape()) {
            var connections = ductape.cloud.connections;
            var created = connections.create(Map.of("provider", "mongodb_atlas", "name", "prod_atlas", "scopes", List.of("database")));
            System.out.println("create: " + created.get("tag") + " " + created.get("status"));
            var completed = connections.complete("prod_atlas", Map.of(
                    "project_id", "5c843ba379358e5b3dc2dec6",
                    "atlas_public_key", "awqxqtif",
                    "atlas_private_key", "a0403a4f-0151-4922-ae89-523b69cd8e04")); // the simulator's test key
            System.out.println("complete: " + completed.get("tag") + " " + completed.get("status"));
            var check = connections.validate("prod_atlas");
            System.out.println("validate: " + (Boolean.TRUE.equals(check.get("valid")) ? "valid" : "invalid") + " " + check.get("account_identifier"));

            ductape.products.create(Map.of("name", "My Product", "tag", "my-product"));
            ductape.products.environments.create(Map.of("product", "my-product", "slug", "prd"));
            var imported = ductape.cloud.resources.importResource(Map.of(
                    "cloud", "prod_atlas", "service", "atlas-cluster", "type", "databases",
                    "product", "my-product", "component", "db-mongo", "env", "prd", "resource", "Cluster0",
                    "connection_type", "standard")); // the simulator's clusters have no SRV record
            System.out.println("import: " + imported.get("database_user") + " " + imported.get("connection_url_ref") + " "
                    + (Boolean.TRUE.equals(imported.get("verified")) ? "verified" : "not verified"));
            System.out.println("ductape " + Ductape.VERSION);
        }
    }
}
