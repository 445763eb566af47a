package dev.ductape;

import java.util.Map;

/** Run in a child JVM by {@link JvmExitTest}: many async calls, then exit with calls still running. */
public final class ExitProbe {
    public static void main(String[] args) throws Exception {
        try (Ductape d = new Ductape(Map.of("debug_operations", true, "workspace_dir", args[0]))) {
            for (int i = 0; i < 2000; i++) d.callAsync("debug.echo", Map.of("value", i)).join();
            for (int ms : new int[] {0, 1, 2, 5, 10, 20, 50}) d.callAsync("debug.sleep", Map.of("ms", ms));
            Thread.sleep(5);
            System.out.println("ok");
            if (args.length > 1) System.exit(0);
        }
    }
}
