package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code cloud.resources}. Java cannot name a method {@code import}: use {@link #importResource}
 * (or {@code call("import", params)}).
 */
public final class Resources extends Namespace {
    Resources(Ductape ductape) { super(ductape, "cloud.resources"); }

    /** {@code {cloud, service}} -> {@code {resources:[...]}}. */
    public Map<String, Object> list(Map<String, ?> params) { return call("list", params); }

    /** {@code cloud.resources.import}: {@code {cloud, service, type, product, component, env, resource}}. */
    public Map<String, Object> importResource(Map<String, ?> params) { return call("import", params); }

    public CompletableFuture<Map<String, Object>> listAsync(Map<String, ?> params) { return callAsync("list", params); }

    public CompletableFuture<Map<String, Object>> importResourceAsync(Map<String, ?> params) { return callAsync("import", params); }
}
