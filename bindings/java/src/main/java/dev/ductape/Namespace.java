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

    /**
     * {@code params} plus {@code tag}. A different {@code "tag"} inside {@code params} is refused
     * (it used to win silently, so {@code update("one", Map.of("tag", "two", ...))} changed "two").
     */
    static Map<String, Object> withTag(String tag, Map<String, ?> params) {
        if (params != null && params.containsKey("tag") && !java.util.Objects.equals(params.get("tag"), tag)) {
            throw new DuctapeException.InvalidArgument(
                    "tag: given twice with different values, as the tag argument and as \"tag\" in params", "tag", null);
        }
        java.util.LinkedHashMap<String, Object> body = new java.util.LinkedHashMap<>();
        if (params != null) body.putAll(params);
        body.put("tag", tag);
        return body;
    }

    /** {@link #callAsync} with {@link #withTag}; a refused tag fails the future like any other error. */
    CompletableFuture<Map<String, Object>> callAsyncWithTag(String method, String tag, Map<String, ?> params) {
        Map<String, Object> body;
        try {
            body = withTag(tag, params);
        } catch (DuctapeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return callAsync(method, body);
    }

    @Override
    public String toString() { return "Namespace(" + prefix + ")"; }
}
