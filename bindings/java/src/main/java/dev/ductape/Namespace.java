package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A dotted operation prefix such as {@code cloud.connections}. Any method reaches the core:
 * {@code namespace.call("sync", Map.of(...))} runs {@code "<prefix>.sync"}, so operations added
 * to the core later need no new Java code.
 */
public class Namespace {
    private final Ductape ductape;
    private final String prefix;

    public Namespace(Ductape ductape, String prefix) {
        this.ductape = ductape;
        this.prefix = prefix;
    }

    public String getPrefix() { return prefix; }

    /** The client this namespace belongs to. */
    public Ductape ductape() { return ductape; }

    /** {@code prefix + "." + method}. */
    public String operationName(String method) { return prefix + "." + method; }

    /** A nested namespace: {@code cloud.namespace("network")}. */
    public Namespace namespace(String name) { return new Namespace(ductape, operationName(name)); }

    /** Runs {@code <prefix>.<method>} and answers its result as a Map. */
    public Map<String, Object> call(String method, Map<String, ?> params) {
        return Ductape.asMap(ductape.call(operationName(method), params));
    }

    /** Asynchronous {@link #call}; cancelling the future cancels the Rust task. */
    public CompletableFuture<Map<String, Object>> callAsync(String method, Map<String, ?> params) {
        return Ductape.linked(ductape.callAsync(operationName(method), params), Ductape::asMap);
    }

    static Map<String, Object> withTag(String tag, Map<String, ?> params) {
        java.util.LinkedHashMap<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("tag", tag);
        if (params != null) body.putAll(params);
        return body;
    }

    @Override
    public String toString() { return "Namespace(" + prefix + ")"; }
}
