package dev.ductape;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The library's {@code ductape_*} C ABI ({@code include/ductape.h}) through JNA direct mapping:
 * the blocking path of {@link Ductape#call}. One native call in and one out, with primitive
 * arguments, where uniffi's generated call converts structures by reflection and costs about
 * 30 µs more per call. Registered under the same library name as the generated Kotlin (so JNA
 * hands both the one loaded library, not a second copy).
 */
final class CAbi {
    static {
        Native.register(CAbi.class, System.getProperty("uniffi.component.ductape_ffi.libraryOverride", "ductape_ffi"));
    }

    private CAbi() {}

    static native Pointer ductape_call(Pointer handle, byte[] operation, long operationLen, byte[] params, long paramsLen, long[] replyLen);

    static native void ductape_reply_free(Pointer reply, long replyLen);

    static native void ductape_handle_release(Pointer handle);

    /** {@code ductape_call}, answering the envelope text and freeing the native reply. */
    static String call(Pointer handle, String operation, String params) {
        byte[] op = operation.getBytes(StandardCharsets.UTF_8);
        byte[] body = params.getBytes(StandardCharsets.UTF_8);
        long[] size = new long[1];
        Pointer reply = ductape_call(handle, op, op.length, body, body.length, size);
        try {
            return new String(reply.getByteArray(0, (int) size[0]), StandardCharsets.UTF_8);
        } finally {
            ductape_reply_free(reply, size[0]);
        }
    }
}
