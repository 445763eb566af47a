package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code secrets}: workspace secrets, referenced as {@code $Secret{KEY}}. Records never carry a value. */
public final class Secrets extends Namespace {
    Secrets(Ductape ductape) { super(ductape, "secrets"); }

    /** {@code {key, value, description?, scope?, envs?, expires_at?}} -> the record (never the value). */
    public Map<String, Object> create(Map<String, ?> params) { return callObject("create", params); }

    /** {@code {limit?, after?}} -> {@code {secrets, next_after}}; every record, by key, without a limit. */
    public Map<String, Object> fetchAll(Map<String, ?> params) { return callObject("fetchAll", params == null ? Map.of() : params); }

    public Map<String, Object> fetchAll() { return fetchAll(null); }

    /** The record and its {@code value}. */
    public Map<String, Object> fetch(String key) { return callObject("fetch", Map.of("key", key)); }

    /** A new {@code value} rotates it; a null {@code description}, {@code scope}, {@code envs} or {@code expires_at} clears it. */
    public Map<String, Object> update(String key, Map<String, ?> params) { return callObject("update", positional("key", key, params)); }

    public Map<String, Object> delete(String key) { return callObject("delete", Map.of("key", key)); }

    public Map<String, Object> revoke(String key) { return callObject("revoke", Map.of("key", key)); }

    /** {@code {value, references}}: every {@code $Secret{KEY}} in {@code value} resolved for {@code app} in {@code env} (either may be null). */
    public Map<String, Object> resolve(String value, String app, String env) { return callObject("resolve", fields("value", value, "app", app, "env", env)); }

    public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

    public CompletableFuture<Map<String, Object>> fetchAllAsync(Map<String, ?> params) { return callObjectAsync("fetchAll", params == null ? Map.of() : params); }

    public CompletableFuture<Map<String, Object>> fetchAsync(String key) { return callObjectAsync("fetch", Map.of("key", key)); }

    public CompletableFuture<Map<String, Object>> updateAsync(String key, Map<String, ?> params) { return callObjectAsync("update", positional("key", key, params)); }

    public CompletableFuture<Map<String, Object>> deleteAsync(String key) { return callObjectAsync("delete", Map.of("key", key)); }

    public CompletableFuture<Map<String, Object>> revokeAsync(String key) { return callObjectAsync("revoke", Map.of("key", key)); }

    public CompletableFuture<Map<String, Object>> resolveAsync(String value, String app, String env) { return callObjectAsync("resolve", fields("value", value, "app", app, "env", env)); }
}
