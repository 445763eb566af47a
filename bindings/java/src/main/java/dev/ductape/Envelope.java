package dev.ductape;

import java.util.Map;

/**
 * Decodes the core's reply envelope: answers {@code result} or throws the exception for
 * {@code error.code}. The call's warnings (e.g. {@code atlas_api_deprecated}) go to the
 * {@code java.util.logging} logger {@code dev.ductape} at level WARNING (SLF4J users: add the
 * jul-to-slf4j bridge).
 */
public final class Envelope {
    /** Where the core's warnings arrive. */
    public static final java.util.logging.Logger LOGGER = java.util.logging.Logger.getLogger("dev.ductape");

    private Envelope() {}

    public static Object decode(String reply) {
        Object parsed = Json.read(reply);
        if (!(parsed instanceof Map)) {
            throw DuctapeException.of("internal", "malformed reply from the native library", null, null);
        }
        Map<?, ?> envelope = (Map<?, ?>) parsed;
        if (envelope.get("warnings") instanceof java.util.List) {
            for (Object w : (java.util.List<?>) envelope.get("warnings")) {
                Map<?, ?> warning = w instanceof Map ? (Map<?, ?>) w : Map.of();
                LOGGER.warning(warning.get("code") + ": " + warning.get("message"));
            }
        }
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
