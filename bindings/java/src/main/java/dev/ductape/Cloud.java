package dev.ductape;

/**
 * {@code ductape.cloud}: {@link #connections}, and any other namespace by name
 * ({@code cloud.namespace("resources").call("import", map)} once the core has it).
 */
public final class Cloud extends Namespace {
    /** The Atlas connection lifecycle. */
    public final Connections connections;

    Cloud(Ductape ductape) {
        super(ductape, "cloud");
        this.connections = new Connections(ductape);
    }
}
