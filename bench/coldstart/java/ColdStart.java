// Item 5, Java: load the SDK (its native library inside the jar), open the workspace, first call;
// one JSON line. The SDK jar and its dependencies are the ones scripts/bench-bindings.sh lays out
// (.work/bench/java/ductape-sdk.jar, the classpath in .work/bench/java/cp.txt); bench/run.py
// compiles this file against them:
//
//   javac -cp "$(cat .work/bench/java/cp.txt)" -d OUT ColdStart.java
//   java -cp "OUT:$(cat .work/bench/java/cp.txt)" ColdStart WORKSPACE_DIR
import dev.ductape.Ductape;
import java.lang.management.ManagementFactory;
import java.util.Map;

public final class ColdStart {
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        // The constructor loads the library (JNA extracts it from the jar) and opens the workspace.
        Ductape client = new Ductape(Map.of("workspace_dir", args[0],
                "workspace_key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
        double opened = (System.nanoTime() - t0) / 1e6;
        Map<String, Object> c = client.cloud.connections.fetch("c0500");
        if (!"c0500".equals(c.get("tag"))) throw new IllegalStateException(String.valueOf(c));
        double first = (System.nanoTime() - t0) / 1e6;
        // process start -> first reply: the JVM's own start time (milliseconds since the epoch).
        double sinceProcess = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("{\"lang\":\"java\",\"open_ms\":" + opened + ",\"first_call_ms\":" + first
                + ",\"since_process_ms\":" + sinceProcess + "}");
        client.close();
    }
}
