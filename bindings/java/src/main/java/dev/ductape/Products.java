package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code products}: products with their {@link #environments} and {@link #components}. */
public final class Products extends Namespace {
    /** {@code products.environments}. */
    public final Environments environments;
    /** {@code products.components}. */
    public final Components components;

    Products(Ductape ductape) {
        super(ductape, "products");
        this.environments = new Environments(ductape);
        this.components = new Components(ductape);
    }

    /** {@code {name, tag?, description?}}; the tag defaults to the name slugged ({@code my-product}). */
    public Map<String, Object> create(Map<String, ?> params) { return callObject("create", params); }

    public Map<String, Object> fetch(String product) { return callObject("fetch", Map.of("product", product)); }

    public Map<String, Object> list() { return callObject("list", Map.of()); }

    /** {@code {name?, description?}}; the tag never changes. */
    public Map<String, Object> update(String product, Map<String, ?> params) { return callObject("update", positional("product", product, params)); }

    /** Refused while component envs hold secrets, unless {@code force} (which deletes them too). */
    public Map<String, Object> delete(String product, boolean force) { return callObject("delete", Map.of("product", product, "force", force)); }

    public Map<String, Object> delete(String product) { return delete(product, false); }

    public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

    public CompletableFuture<Map<String, Object>> fetchAsync(String product) { return callObjectAsync("fetch", Map.of("product", product)); }

    public CompletableFuture<Map<String, Object>> listAsync() { return callObjectAsync("list", Map.of()); }

    public CompletableFuture<Map<String, Object>> updateAsync(String product, Map<String, ?> params) { return callObjectAsync("update", positional("product", product, params)); }

    public CompletableFuture<Map<String, Object>> deleteAsync(String product, boolean force) { return callObjectAsync("delete", Map.of("product", product, "force", force)); }

    /** {@code products.environments}: a product's environments ({@code dev}, {@code stg}, {@code prd}, ...). */
    public static final class Environments extends Namespace {
        Environments(Ductape ductape) { super(ductape, "products.environments"); }

        /** {@code {product, slug, name?, description?}}. */
        public Map<String, Object> create(Map<String, ?> params) { return callObject("create", params); }

        public Map<String, Object> list(String product) { return callObject("list", Map.of("product", product)); }

        public Map<String, Object> fetch(String product, String env) { return callObject("fetch", Map.of("product", product, "env", env)); }

        /** {@code {product, env, name?, description?}}; the slug never changes. */
        public Map<String, Object> update(Map<String, ?> params) { return callObject("update", params); }

        public Map<String, Object> delete(String product, String env, boolean force) { return callObject("delete", Map.of("product", product, "env", env, "force", force)); }

        public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

        public CompletableFuture<Map<String, Object>> listAsync(String product) { return callObjectAsync("list", Map.of("product", product)); }

        public CompletableFuture<Map<String, Object>> fetchAsync(String product, String env) { return callObjectAsync("fetch", Map.of("product", product, "env", env)); }

        public CompletableFuture<Map<String, Object>> updateAsync(Map<String, ?> params) { return callObjectAsync("update", params); }

        public CompletableFuture<Map<String, Object>> deleteAsync(String product, String env, boolean force) { return callObjectAsync("delete", Map.of("product", product, "env", env, "force", force)); }
    }

    /** {@code products.components}: database components and their config per environment. */
    public static final class Components extends Namespace {
        Components(Ductape ductape) { super(ductape, "products.components"); }

        /** {@code {product, tag, type, name?}} with type {@code mongodb}, {@code postgresql}, {@code mysql} or {@code dynamodb}. */
        public Map<String, Object> create(Map<String, ?> params) { return callObject("create", params); }

        public Map<String, Object> fetch(String product, String component) { return callObject("fetch", Map.of("product", product, "component", component)); }

        public Map<String, Object> list(String product) { return callObject("list", Map.of("product", product)); }

        public Map<String, Object> delete(String product, String component, boolean force) { return callObject("delete", Map.of("product", product, "component", component, "force", force)); }

        /** {@code {product, component, env, connection_url?, cloud?, instance?, auth_mode?}}; a null value clears it. */
        public Map<String, Object> setEnv(Map<String, ?> params) { return callObject("setEnv", params); }

        public Map<String, Object> getEnv(String product, String component, String env) { return callObject("getEnv", Map.of("product", product, "component", component, "env", env)); }

        /** {@code {connection_url, references, cloud, instance, auth_mode}}: the application's read path ({@code app} may be null). */
        public Map<String, Object> resolve(String product, String component, String env, String app) { return callObject("resolve", fields("product", product, "component", component, "env", env, "app", app)); }

        public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

        public CompletableFuture<Map<String, Object>> fetchAsync(String product, String component) { return callObjectAsync("fetch", Map.of("product", product, "component", component)); }

        public CompletableFuture<Map<String, Object>> listAsync(String product) { return callObjectAsync("list", Map.of("product", product)); }

        public CompletableFuture<Map<String, Object>> deleteAsync(String product, String component, boolean force) { return callObjectAsync("delete", Map.of("product", product, "component", component, "force", force)); }

        public CompletableFuture<Map<String, Object>> setEnvAsync(Map<String, ?> params) { return callObjectAsync("setEnv", params); }

        public CompletableFuture<Map<String, Object>> getEnvAsync(String product, String component, String env) { return callObjectAsync("getEnv", Map.of("product", product, "component", component, "env", env)); }

        public CompletableFuture<Map<String, Object>> resolveAsync(String product, String component, String env, String app) { return callObjectAsync("resolve", fields("product", product, "component", component, "env", env, "app", app)); }
    }
}
