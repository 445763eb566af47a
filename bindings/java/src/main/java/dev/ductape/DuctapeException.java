package dev.ductape;

/**
 * Every error from the Rust core: {@link #getCode()} is the core's stable error code and each
 * code has its own subclass (e.g. {@link NotFound}), so callers can catch one kind. A code this
 * version does not know yet arrives as a plain {@code DuctapeException}. A panic inside the core
 * arrives as {@link Internal}; the JVM keeps running. Generated from the list of codes in
 * {@code core/src/error.rs}; unchecked.
 */
public class DuctapeException extends RuntimeException {
    private final String code;
    private final String field;
    private final Object details;

    public DuctapeException(String code, String message, String field, Object details) {
        super(code + ": " + message);
        this.code = code;
        this.field = field;
        this.details = details;
        this.rawMessage = message;
    }

    private final String rawMessage;

    /** The core's stable error code, e.g. {@code invalid_argument}. */
    public String getCode() { return code; }

    /** The message without the code prefix. */
    public String getDetail() { return rawMessage; }

    /** The request field at fault ({@code scopes[1]}), or null. */
    public String getField() { return field; }

    /** Machine-readable extras (Map), or null. */
    public Object getDetails() { return details; }

    /** Builds the subclass for {@code code}. */
    public static DuctapeException of(String code, String message, String field, Object details) {
        switch (code) {
            case "invalid_argument": return new InvalidArgument(message, field, details);
            case "unknown_operation": return new UnknownOperation(message, field, details);
            case "not_found": return new NotFound(message, field, details);
            case "conflict": return new Conflict(message, field, details);
            case "permission_denied": return new PermissionDenied(message, field, details);
            case "failed_precondition": return new FailedPrecondition(message, field, details);
            case "unsupported": return new Unsupported(message, field, details);
            case "limit_exceeded": return new LimitExceeded(message, field, details);
            case "atlas_unauthorized": return new AtlasUnauthorized(message, field, details);
            case "atlas_forbidden_ip": return new AtlasForbiddenIp(message, field, details);
            case "atlas_missing_role": return new AtlasMissingRole(message, field, details);
            case "atlas_error": return new AtlasError(message, field, details);
            case "network": return new Network(message, field, details);
            case "timeout": return new Timeout(message, field, details);
            case "rate_limited": return new RateLimited(message, field, details);
            case "workspace": return new Workspace(message, field, details);
            case "cancelled": return new Cancelled(message, field, details);
            case "internal": return new Internal(message, field, details);
            default: return new DuctapeException(code, message, field, details);
        }
    }

    /** Error code {@code invalid_argument}. */
    public static final class InvalidArgument extends DuctapeException {
        public InvalidArgument(String message, String field, Object details) { super("invalid_argument", message, field, details); }
    }

    /** Error code {@code unknown_operation}. */
    public static final class UnknownOperation extends DuctapeException {
        public UnknownOperation(String message, String field, Object details) { super("unknown_operation", message, field, details); }
    }

    /** Error code {@code not_found}. */
    public static final class NotFound extends DuctapeException {
        public NotFound(String message, String field, Object details) { super("not_found", message, field, details); }
    }

    /** Error code {@code conflict}. */
    public static final class Conflict extends DuctapeException {
        public Conflict(String message, String field, Object details) { super("conflict", message, field, details); }
    }

    /** Error code {@code permission_denied}: a secret out of the app's scope or not in the environment. */
    public static final class PermissionDenied extends DuctapeException {
        public PermissionDenied(String message, String field, Object details) { super("permission_denied", message, field, details); }
    }

    /** Error code {@code failed_precondition}. */
    public static final class FailedPrecondition extends DuctapeException {
        public FailedPrecondition(String message, String field, Object details) { super("failed_precondition", message, field, details); }
    }

    /** Error code {@code unsupported}. */
    public static final class Unsupported extends DuctapeException {
        public Unsupported(String message, String field, Object details) { super("unsupported", message, field, details); }
    }

    /** Error code {@code limit_exceeded}: an Atlas limit would be passed (e.g. 200 IP access-list entries); {@link #getDetails()} says how many are needed and free. */
    public static final class LimitExceeded extends DuctapeException {
        public LimitExceeded(String message, String field, Object details) { super("limit_exceeded", message, field, details); }
    }

    /** Error code {@code atlas_unauthorized}. */
    public static final class AtlasUnauthorized extends DuctapeException {
        public AtlasUnauthorized(String message, String field, Object details) { super("atlas_unauthorized", message, field, details); }
    }

    /** Error code {@code atlas_forbidden_ip}. */
    public static final class AtlasForbiddenIp extends DuctapeException {
        public AtlasForbiddenIp(String message, String field, Object details) { super("atlas_forbidden_ip", message, field, details); }
    }

    /** Error code {@code atlas_missing_role}. */
    public static final class AtlasMissingRole extends DuctapeException {
        public AtlasMissingRole(String message, String field, Object details) { super("atlas_missing_role", message, field, details); }
    }

    /** Error code {@code atlas_error}. */
    public static final class AtlasError extends DuctapeException {
        public AtlasError(String message, String field, Object details) { super("atlas_error", message, field, details); }
    }

    /** Error code {@code network}. */
    public static final class Network extends DuctapeException {
        public Network(String message, String field, Object details) { super("network", message, field, details); }
    }

    /** Error code {@code timeout}. */
    public static final class Timeout extends DuctapeException {
        public Timeout(String message, String field, Object details) { super("timeout", message, field, details); }
    }

    /** Error code {@code rate_limited}. */
    public static final class RateLimited extends DuctapeException {
        public RateLimited(String message, String field, Object details) { super("rate_limited", message, field, details); }
    }

    /** Error code {@code workspace}. */
    public static final class Workspace extends DuctapeException {
        public Workspace(String message, String field, Object details) { super("workspace", message, field, details); }
    }

    /** Error code {@code cancelled}. */
    public static final class Cancelled extends DuctapeException {
        public Cancelled(String message, String field, Object details) { super("cancelled", message, field, details); }
    }

    /** Error code {@code internal}. */
    public static final class Internal extends DuctapeException {
        public Internal(String message, String field, Object details) { super("internal", message, field, details); }
    }
}
