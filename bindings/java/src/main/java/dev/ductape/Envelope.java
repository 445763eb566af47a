package dev.ductape;

import java.util.Map;

/** Decodes the core's reply envelope: answers {@code result} or throws the exception for {@code error.code}. */
public final class Envelope {
    private Envelope() {}

    public static Object decode(String reply) {
        Object parsed = Json.read(reply);
        if (!(parsed instanceof Map)) {
            throw DuctapeException.of("internal", "malformed reply from the native library", null, null);
        }
        Map<?, ?> envelope = (Map<?, ?>) parsed;
        if (Boolean.TRUE.equals(envelope.get("ok"))) {
            return envelope.get("result");
        }
        Object error = envelope.get("error");
        Map<?, ?> e = error instanceof Map ? (Map<?, ?>) error : Map.of();
        Object code = e.get("code");
        Object message = e.get("message");
        Object field = e.get("field");
        throw DuctapeException.of(
                code == null ? "internal" : code.toString(),
                message == null ? "" : message.toString(),
                field == null ? null : field.toString(),
                e.get("details"));
    }
}
