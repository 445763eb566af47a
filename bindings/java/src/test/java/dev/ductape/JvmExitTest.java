package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JVM exits cleanly after many async calls and with calls still running (also via System.exit). */
class JvmExitTest {
    @TempDir Path workspace;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void childJvmExitsCleanly(boolean systemExit) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int run = 0; run < 3; run++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    "dev.ductape.ExitProbe", workspace.resolve("w" + run).toString()));
            if (systemExit) cmd.add("exit");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("RUST_BACKTRACE", "0");
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not exit");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("ok"), out);
        }
    }
}
