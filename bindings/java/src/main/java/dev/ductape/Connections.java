package dev.ductape;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code cloud.connections}: the Atlas connection lifecycle. Each method is one generic call. */
public final class Connections extends Namespace {
    Connections(Ductape ductape) { super(ductape, "cloud.connections"); }

    /** {@code {provider, name, scopes?, display_name?, description?}} -> the new record (status pending). */
    public Map<String, Object> create(Map<String, ?> params) { return callObject("create", params); }

    /** Stores credentials: {@code {project_id, atlas_public_key?, atlas_private_key?, atlas_client_id?, atlas_client_secret?}}. */
    public Map<String, Object> complete(String tag, Map<String, ?> params) { return callObject("complete", withTag(tag, params)); }

    /** Checks the credentials against Atlas -> {@code {valid, status, message}}. */
    public Map<String, Object> validate(String tag) { return callObject("validate", Map.of("tag", tag)); }

    public Map<String, Object> fetch(String tag) { return callObject("fetch", Map.of("tag", tag)); }

    /** {@code {provider?, status?}} filters; null for all. */
    public Map<String, Object> list(Map<String, ?> filters) { return callObject("list", filters == null ? Map.of() : filters); }

    public Map<String, Object> list() { return list(null); }

    /** {@code {display_name?, description?, scopes?}}; the tag never changes. */
    public Map<String, Object> update(String tag, Map<String, ?> params) { return callObject("update", withTag(tag, params)); }

    public Map<String, Object> delete(String tag) { return callObject("delete", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

    public CompletableFuture<Map<String, Object>> completeAsync(String tag, Map<String, ?> params) { return callObjectAsync("complete", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> validateAsync(String tag) { return callObjectAsync("validate", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> fetchAsync(String tag) { return callObjectAsync("fetch", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> listAsync(Map<String, ?> filters) { return callObjectAsync("list", filters == null ? Map.of() : filters); }

    public CompletableFuture<Map<String, Object>> updateAsync(String tag, Map<String, ?> params) { return callObjectAsync("update", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> deleteAsync(String tag) { return callObjectAsync("delete", Map.of("tag", tag)); }
}
