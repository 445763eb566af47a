package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code cloud.resources}: the clusters of a connection's project, and importing one into a product component env. */
public final class Resources extends Namespace {
    Resources(Ductape ductape) { super(ductape, "cloud.resources"); }

    /** The services {@code cloud} (a connection tag) can link: {@code atlas-cluster}. */
    public Map<String, Object> services(String cloud) { return callObject("services", Map.of("cloud", cloud)); }

    /** {@code {resources: [{id, name, region, metadata}]}}: dedicated, free and flex clusters. */
    public Map<String, Object> list(String cloud, String service) { return callObject("list", Map.of("cloud", cloud, "service", service)); }

    /**
     * {@code {cloud, service, type, product, component, env, resource, role?, connection_type?, wait_timeout_ms?, verify?}}:
     * makes a cluster-scoped database user, stores its connection string as a secret and links the env to it.
     * Named {@code importResource} because {@code import} is a Java keyword.
     */
    public Map<String, Object> importResource(Map<String, ?> params) { return callObject("import", params); }

    /** {@code {cloud, product, component, env}}: deletes the database user, the secret and the env link. */
    public Map<String, Object> unlink(Map<String, ?> params) { return callObject("unlink", params); }

    /** {@code {product, component, env, app?, timeout_ms?}}: connects with the stored string (MongoDB's driver) and runs ping. */
    public Map<String, Object> verify(Map<String, ?> params) { return callObject("verify", params); }

    public CompletableFuture<Map<String, Object>> servicesAsync(String cloud) { return callObjectAsync("services", Map.of("cloud", cloud)); }

    public CompletableFuture<Map<String, Object>> listAsync(String cloud, String service) { return callObjectAsync("list", Map.of("cloud", cloud, "service", service)); }

    public CompletableFuture<Map<String, Object>> importResourceAsync(Map<String, ?> params) { return callObjectAsync("import", params); }

    public CompletableFuture<Map<String, Object>> unlinkAsync(Map<String, ?> params) { return callObjectAsync("unlink", params); }

    public CompletableFuture<Map<String, Object>> verifyAsync(Map<String, ?> params) { return callObjectAsync("verify", params); }
}
