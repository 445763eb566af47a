package dev.ductape;

/**
 * {@code ductape.cloud}: {@link #connections}, {@link #resources}, and any other namespace by name
 * ({@code cloud.namespace("network").call("sync", map)}).
 */
public final class Cloud extends Namespace {
    /** The Atlas connection lifecycle. */
    public final Connections connections;
    /** Clusters of a connection's project, and importing them. */
    public final Resources resources;

    Cloud(Ductape ductape) {
        super(ductape, "cloud");
        this.connections = new Connections(ductape);
        this.resources = new Resources(ductape);
    }
}
