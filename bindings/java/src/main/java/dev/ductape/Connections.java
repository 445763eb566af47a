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

    /**
     * Networking settings ({@code metadata.networking}): {@code {mode?, include_ductape_proxy?,
     * ductape_proxy_host?, ductape_proxy_addresses?, allowed_sources?: [{cidr, label, source}]}}; given
     * fields replace the stored ones -> {@code {tag, networking, synced_ips}}.
     */
    public Map<String, Object> updateManagedNetworking(String tag, Map<String, ?> params) { return callObject("updateManagedNetworking", withTag(tag, params)); }

    /** A host's IPv4 and IPv6 addresses from DNS -> {@code {host, addresses}}. */
    public Map<String, Object> resolveNetworkingHost(String host) { return callObject("resolveNetworkingHost", Map.of("host", host)); }

    /**
     * Keeps the project's IP access list: {@code {dry_run?, prune?, wait?, wait_timeout_ms?}} (null for
     * none) -> {@code {added, already_present, removed, pending, failed, drift, unwanted, synced_ips, ...}}.
     */
    public Map<String, Object> syncNetworkAccess(String tag, Map<String, ?> params) { return syncNetworkAccess(tag, params, null); }

    /** {@link #syncNetworkAccess(String, Map)} with {@code listener} receiving progress (steps {@code read_access_list}, {@code add_entries}, {@code wait_active}, ...). */
    public Map<String, Object> syncNetworkAccess(String tag, Map<String, ?> params, ProgressListener listener) {
        return callObject("syncNetworkAccess", withTag(tag, params), listener);
    }

    /** This machine's address for some hours: {@code {hours?, comment?}} (null for defaults) -> {@code {cidr, delete_after_date, added, ...}}. */
    public Map<String, Object> allowCurrentIp(String tag, Map<String, ?> params) { return callObject("allowCurrentIp", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params) { return callObjectAsync("create", params); }

    public CompletableFuture<Map<String, Object>> completeAsync(String tag, Map<String, ?> params) { return callObjectAsync("complete", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> validateAsync(String tag) { return callObjectAsync("validate", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> fetchAsync(String tag) { return callObjectAsync("fetch", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> listAsync(Map<String, ?> filters) { return callObjectAsync("list", filters == null ? Map.of() : filters); }

    public CompletableFuture<Map<String, Object>> updateAsync(String tag, Map<String, ?> params) { return callObjectAsync("update", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> deleteAsync(String tag) { return callObjectAsync("delete", Map.of("tag", tag)); }

    public CompletableFuture<Map<String, Object>> updateManagedNetworkingAsync(String tag, Map<String, ?> params) { return callObjectAsync("updateManagedNetworking", withTag(tag, params)); }

    public CompletableFuture<Map<String, Object>> resolveNetworkingHostAsync(String host) { return callObjectAsync("resolveNetworkingHost", Map.of("host", host)); }

    public CompletableFuture<Map<String, Object>> syncNetworkAccessAsync(String tag, Map<String, ?> params) { return syncNetworkAccessAsync(tag, params, null); }

    public CompletableFuture<Map<String, Object>> syncNetworkAccessAsync(String tag, Map<String, ?> params, ProgressListener listener) {
        return callObjectAsync("syncNetworkAccess", withTag(tag, params), listener);
    }

    public CompletableFuture<Map<String, Object>> allowCurrentIpAsync(String tag, Map<String, ?> params) { return callObjectAsync("allowCurrentIp", withTag(tag, params)); }
}
