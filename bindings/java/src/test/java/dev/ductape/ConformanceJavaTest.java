package dev.ductape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java conformance runner: every vector in tests/conformance/vectors through the Java facade
 * ({@link Ductape#call}, exceptions included). DUCTAPE_SIM_URL names a running atlas-sim; without
 * it, vectors that require the simulator are skipped.
 */
class ConformanceJavaTest {
    static final Object MISSING = new Object();
    static final List<String> REPORT = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * Writes what a runner saw, one JSON object a line (each step's reply, each vector's outcome), to
     * $DUCTAPE_CONFORMANCE_REPORT_DIR/{file}; tests/conformance/tools/agree.py compares the runners.
     */
    static void writeReport(String file, List<String> lines) throws IOException {
        String dir = System.getenv("DUCTAPE_CONFORMANCE_REPORT_DIR");
        if (dir == null || dir.isEmpty()) return;
        Files.createDirectories(Path.of(dir));
        Files.writeString(Path.of(dir, file), String.join("\n", lines) + "\n");
    }

    @org.junit.jupiter.api.AfterAll
    static void report() throws IOException {
        writeReport("java.jsonl", REPORT);
    }

    /** One report line. */
    static String line(Map<String, Object> fields) {
        return Json.write(fields);
    }

    /** What a runner saw when a call failed: code, field, message and details, as the core sent them. */
    static Map<String, Object> seenError(String code, String field, String message, Object details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("field", field);
        error.put("message", message);
        error.put("details", details);
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("ok", false);
        seen.put("error", error);
        return seen;
    }

    static Map<String, Object> seenResult(Object result) {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("ok", true);
        seen.put("result", result);
        return seen;
    }

    static Map<String, Object> entry(String vector, Object step, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vector", vector);
        m.put("step", step);
        m.put(key, value);
        return m;
    }

    static Path vectorsDir() {
        return Path.of(System.getProperty("ductape.repo.dir", "../..")).resolve("tests/conformance/vectors");
    }

    static String simUrl() {
        String url = System.getenv("DUCTAPE_SIM_URL");
        return url == null || url.isEmpty() ? null : url;
    }

    /** (name, vector) for every vector, files sorted by name. */
    @SuppressWarnings("unchecked")
    static List<Map.Entry<String, Map<String, Object>>> loadVectors() throws IOException {
        List<Map.Entry<String, Map<String, Object>>> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(vectorsDir())) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            Map<String, Object> doc = (Map<String, Object>) Json.read(Files.readString(file));
            String stem = file.getFileName().toString().replaceAll("\\.json$", "");
            for (Object v : (List<Object>) doc.get("vectors")) {
                Map<String, Object> vector = (Map<String, Object>) v;
                out.add(Map.entry(stem + "/" + vector.get("name"), vector));
            }
        }
        return out;
    }

    static boolean needsSim(Map<String, Object> vector) {
        Object r = vector.get("requires");
        return r instanceof List && ((List<?>) r).contains("sim");
    }

    /** One request to the simulator's control API ({@code /__sim/...}); answers the HTTP status. */
    static int simRequest(String base, String method, String path, Object body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base.replaceAll("/$", "") + path).toURL().openConnection();
        c.setRequestMethod(method);
        if (!method.equals("GET") && !method.equals("DELETE")) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (var out = c.getOutputStream()) {
                if (body != null) out.write(Json.write(body).getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = c.getResponseCode();
        c.disconnect();
        if (status / 100 != 2) throw new AssertionError(method + " " + path + " failed: " + status);
        return status;
    }

    /** How many injected faults the simulator still holds (0 once a counted fault's request arrived). */
    static int simFaultsLeft(String base) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(base.replaceAll("/$", "") + "/__sim/faults").toURL().openConnection();
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            c.disconnect();
            return ((List<?>) Json.read(body)).size();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs a {@code {"sim": {method, path, body?}}} step; answers its report line. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> simStep(String vector, int i, Map<String, Object> step) throws IOException {
        String sim = simUrl();
        if (sim == null) throw new AssertionError("step " + i + ": a sim step needs the simulator");
        Map<String, Object> control = (Map<String, Object>) step.get("sim");
        return entry(vector, i, "sim", simRequest(sim, (String) control.get("method"), (String) control.get("path"), control.get("body")));
    }

    static boolean sameNumber(Object e, Object a) {
        return e instanceof Number && a instanceof Number && ((Number) e).doubleValue() == ((Number) a).doubleValue();
    }

    /** Subset matching, identical in every runner (see tests/conformance/README.md). */
    static void match(Object expected, Object actual, String path) {
        if ("$absent".equals(expected)) {
            if (actual != MISSING) throw new AssertionError(path + ": expected absent, got " + Json.write(actual));
            return;
        }
        if (actual == MISSING) throw new AssertionError(path + ": missing");
        if ("$any".equals(expected)) return;
        if (expected instanceof Map && actual instanceof Map) {
            Map<?, ?> a = (Map<?, ?>) actual;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) expected).entrySet()) {
                match(e.getValue(), a.containsKey(e.getKey()) ? a.get(e.getKey()) : MISSING, path + "." + e.getKey());
            }
            return;
        }
        if (expected instanceof List && actual instanceof List) {
            List<?> e = (List<?>) expected, a = (List<?>) actual;
            if (e.size() != a.size()) throw new AssertionError(path + ": expected " + e.size() + " elements, got " + Json.write(a));
            for (int i = 0; i < e.size(); i++) match(e.get(i), a.get(i), path + "[" + i + "]");
            return;
        }
        if (sameNumber(expected, actual)) return;
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(path + ": expected " + Json.write(expected) + ", got " + Json.write(actual));
        }
    }

    static void checkError(DuctapeException e, Map<String, Object> want, String where) {
        if (!want.get("code").equals(e.getCode())) {
            throw new AssertionError(where + ": expected error code " + want.get("code") + ", got " + e.getMessage());
        }
        if (e.getClass() == DuctapeException.class) {
            throw new AssertionError(where + ": no exception subclass for code " + e.getCode());
        }
        if (want.containsKey("field") && !Objects.equals(want.get("field"), e.getField())) {
            throw new AssertionError(where + ": expected error field " + want.get("field") + ", got " + e.getField() + ": " + e.getMessage());
        }
        if (want.containsKey("message_contains") && !e.getDetail().contains((String) want.get("message_contains"))) {
            throw new AssertionError(where + ": expected message containing " + want.get("message_contains") + ", got " + e.getDetail());
        }
    }

    @SuppressWarnings("unchecked")
    static void runVector(String name, Map<String, Object> vector, Path workdir, List<String> report) throws IOException {
        String sim = simUrl();
        if (sim != null) simRequest(sim, "POST", "/__sim/reset", null);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("workspace_dir", workdir.toString());
        options.put("atlas_base_url", sim != null ? sim : "http://127.0.0.1:9");
        options.put("debug_operations", true);
        if (vector.get("options") instanceof Map) options.putAll((Map<String, Object>) vector.get("options"));
        if (vector.containsKey("open_error")) {
            Map<String, Object> want = (Map<String, Object>) vector.get("open_error");
            try (Ductape unexpected = new Ductape(options)) {
                throw new AssertionError("open: expected error " + Json.write(want) + ", got a client");
            } catch (DuctapeException e) {
                report.add(line(entry(name, "open", "seen", seenError(e.getCode(), e.getField(), e.getDetail(), e.getDetails()))));
                checkError(e, want, "open");
            }
            return;
        }
        try (Ductape ductape = new Ductape(options)) {
            List<Object> steps = (List<Object>) vector.get("steps");
            for (int i = 0; i < steps.size(); i++) {
                Map<String, Object> step = (Map<String, Object>) steps.get(i);
                if (step.containsKey("sim")) {
                    report.add(line(simStep(name, i, step)));
                    continue;
                }
                String op = (String) step.get("op");
                Map<String, Object> expect = (Map<String, Object>) step.get("expect");
                boolean wantOk = !Boolean.FALSE.equals(expect.get("ok"));
                String where = "step " + i + " (" + op + ")";
                Object result;
                try {
                    result = step.containsKey("params_raw")
                            ? Envelope.decode(ductape.nativeClient().call(op, (String) step.get("params_raw")))
                            : ductape.call(op, step.get("params"));
                } catch (DuctapeException e) {
                    report.add(line(entry(name, i, "seen", seenError(e.getCode(), e.getField(), e.getDetail(), e.getDetails()))));
                    if (wantOk) throw new AssertionError(where + ": expected ok, got " + e.getMessage());
                    checkError(e, (Map<String, Object>) expect.get("error"), where);
                    continue;
                }
                report.add(line(entry(name, i, "seen", seenResult(result))));
                if (!wantOk) throw new AssertionError(where + ": expected error " + Json.write(expect.get("error")) + ", got ok " + Json.write(result));
                if (expect.containsKey("result")) {
                    try {
                        match(expect.get("result"), result, "result");
                    } catch (AssertionError e) {
                        throw new AssertionError(where + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> vectors(@TempDir Path tmp) throws IOException {
        List<Map.Entry<String, Map<String, Object>>> vectors = loadVectors();
        assertTrue(vectors.size() > 0, "no vectors found in " + vectorsDir());
        int[] n = {0};
        return vectors.stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            String name = entry.getKey();
            if (needsSim(entry.getValue()) && simUrl() == null) {
                REPORT.add(line(Map.of("vector", name, "outcome", "SKIP")));
                requireSimInCi();
                org.junit.jupiter.api.Assumptions.assumeTrue(false, "needs the simulator (set DUCTAPE_SIM_URL)");
            }
            Path dir = tmp.resolve("v" + (n[0]++));
            Files.createDirectories(dir);
            List<String> lines = new ArrayList<>();
            String outcome = "FAIL";
            try {
                runVector(name, entry.getValue(), dir, lines);
                outcome = "PASS";
            } finally {
                REPORT.addAll(lines);
                REPORT.add(line(Map.of("vector", name, "outcome", outcome, "workdir", dir.toString())));
            }
        }));
    }

    /** In CI every runner runs every vector: a missing simulator fails instead of skipping. */
    static void requireSimInCi() {
        String ci = System.getenv("CI");
        if (ci != null && !ci.isEmpty() && !ci.equals("false")) {
            throw new AssertionError("CI is set but DUCTAPE_SIM_URL is not: the simulator vectors would be skipped");
        }
    }

    @org.junit.jupiter.api.Test
    void vectorFilesAreWellFormed() throws IOException {
        for (Map.Entry<String, Map<String, Object>> e : loadVectors()) {
            assertTrue(e.getValue().get("steps") instanceof List, e.getKey() + " has steps");
            assertEquals(String.class, e.getValue().get("name").getClass());
        }
    }
}
