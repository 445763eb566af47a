package dev.ductape;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import com.google.gson.ToNumberPolicy;
import java.nio.file.Path;

/** JSON text to and from plain Java values (Map, List, String, Long/Double, Boolean, null). */
public final class Json {
    private static final Gson GSON = new GsonBuilder()
            .serializeNulls()
            .disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
            // A Path (e.g. "workspace_dir", Path.of(...)) is its text.
            .registerTypeHierarchyAdapter(Path.class, (JsonSerializer<Path>) (path, type, ctx) -> new JsonPrimitive(path.toString()))
            .create();

    private Json() {}

    public static String write(Object value) {
        return GSON.toJson(value);
    }

    public static Object read(String text) {
        return GSON.fromJson(text, Object.class);
    }
}
