package dev.ductape;

/** {@code ductape.cloud}: {@link #connections}, {@link #resources}, and any other namespace by name. */
public final class Cloud extends Namespace {
    /** The Atlas connection lifecycle. */
    public final Connections connections;
    /** Cloud resources (clusters) and their import into products. */
    public final Resources resources;

    Cloud(Ductape ductape) {
        super(ductape, "cloud");
        this.connections = new Connections(ductape);
        this.resources = new Resources(ductape);
    }
}
