package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A dotted operation prefix such as {@code cloud.connections}. Any method reaches the core:
 * {@code namespace.call("sync", Map.of(...))} runs {@code "<prefix>.sync"}, so operations added
 * to the core later need no new Java code. The base of the generated namespace classes
 * ({@code Cloud}, {@code Connections}, ...: {@code cargo xtask codegen}), whose typed methods use
 * {@link #callObject} and the request helpers below.
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

    /** Runs {@code <prefix>.<method>} and answers its result as is (see {@link Ductape#call}). */
    public Object call(String method, Map<String, ?> params) {
        return ductape.call(operationName(method), params);
    }

    /** Asynchronous {@link #call}; cancelling the future cancels the Rust task. */
    public CompletableFuture<Object> callAsync(String method, Map<String, ?> params) {
        return ductape.callAsync(operationName(method), params);
    }

    /** {@link #call} for the operations whose reply is an object: every product operation (the core's registry tests it). */
    protected Map<String, Object> callObject(String method, Object params) {
        return Ductape.asMap(operationName(method), ductape.call(operationName(method), params));
    }

    protected CompletableFuture<Map<String, Object>> callObjectAsync(String method, Object params) {
        return callObjectAsync(method, params, null);
    }

    /** {@link #call} with a progress listener (null for none). */
    public Object call(String method, Map<String, ?> params, ProgressListener listener) {
        return ductape.call(operationName(method), params, listener);
    }

    /** {@link #callAsync} with a progress listener (null for none). */
    public CompletableFuture<Object> callAsync(String method, Map<String, ?> params, ProgressListener listener) {
        return ductape.callAsync(operationName(method), params, listener);
    }

    protected Map<String, Object> callObject(String method, Object params, ProgressListener listener) {
        return Ductape.asMap(operationName(method), ductape.call(operationName(method), params, listener));
    }

    protected CompletableFuture<Map<String, Object>> callObjectAsync(String method, Object params, ProgressListener listener) {
        String op = operationName(method);
        return Ductape.linked(ductape.callAsync(op, params, listener), result -> Ductape.asMap(op, result));
    }

    /**
     * The positional form {@code {name: value, "params": params}} for {@code complete(tag, params)},
     * {@code update(key, params)} and the like. The core merges it and refuses a different value for
     * {@code name} inside {@code params} (a different "tag" once won silently and changed the other
     * connection), the same in every language.
     */
    static Map<String, Object> positional(String name, String value, Map<String, ?> params) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put(name, value);
        body.put("params", params == null ? Map.of() : params);
        return body;
    }

    /** A request of named values, leaving out the null ones (optional arguments). */
    static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) body.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return body;
    }

    @Override
    public String toString() { return "Namespace(" + prefix + ")"; }
}
