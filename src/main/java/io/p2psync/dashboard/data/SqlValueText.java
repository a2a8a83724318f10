package io.p2psync.dashboard.data;

import java.util.Base64;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;

/**
 * A value of a row as a person reads it: text as it is, numbers as written, NULL, a BLOB as its size and its
 * first bytes in hex. Values arrive either as JDBC objects (the data browser) or in the JSON form entries
 * carry ({@code SqlValues}: {@code {"blob":"<base64>"}}, {@code {"real":"Infinity"}}, {@code {"text":"<base64>"}}),
 * for conflicts.
 */
public final class SqlValueText {

    /** Longest text shown in a cell; the rest is cut with an ellipsis. */
    static final int MAX_SHOWN = 300;
    private static final int BLOB_BYTES_SHOWN = 16;

    private SqlValueText() {
    }

    /** A JDBC value: null, a number, a String or a byte[]. */
    public static String of(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof byte[] bytes) {
            return blob(bytes);
        }
        return cut(value.toString());
    }

    /** A value in the entries' JSON form; {@code null} for a column the row does not have. */
    public static String ofJson(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "";
        }
        if (value.isNull()) {
            return "NULL";
        }
        if (value.isString()) {
            return cut(value.asString());
        }
        if (value.isObject() && value.has("blob")) {
            try {
                return blob(Base64.getDecoder().decode(value.get("blob").asString()));
            } catch (IllegalArgumentException e) {
                return cut(value.toString());
            }
        }
        if (value.isObject() && value.has("text")) { // TEXT that is not valid UTF-8: shown as a viewer would
            try {
                return cut(new String(Base64.getDecoder().decode(value.get("text").asString()),
                        java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return cut(value.toString());
            }
        }
        if (value.isObject() && value.has("real")) {
            return value.get("real").asString();
        }
        return cut(value.toString());
    }

    private static String blob(byte[] bytes) {
        String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, BLOB_BYTES_SHOWN));
        return "BLOB, " + bytes.length + " bytes: x'" + hex + (bytes.length > BLOB_BYTES_SHOWN ? "…" : "") + "'";
    }

    private static String cut(String text) {
        return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "…";
    }
}
