package io.p2psync.changes;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * SQLite values as they travel in entries: exact, whatever program and SQLite version wrote them. SQLite types
 * belong to values, not columns, so each value carries its own storage class (docs/storage.md, "Values"):
 *
 * <table>
 *   <caption>storage class and JSON form</caption>
 *   <tr><th>SQLite</th><th>Java</th><th>in a row (entry data)</th><th>in a key (record id)</th></tr>
 *   <tr><td>NULL</td><td>null</td><td>{@code null}</td><td>{@code null}</td></tr>
 *   <tr><td>INTEGER</td><td>{@link Long}</td><td>a JSON integer, all of int64</td><td>the same</td></tr>
 *   <tr><td>REAL</td><td>{@link Double}</td><td>a JSON number that always has a fraction or exponent
 *       ({@code 0.30000000000000004}, {@code 1.0E300}); {@code {"real":"Infinity"}} for the infinities</td>
 *       <td>{@code {"real":"0x1.3333333333334p-2"}}: the hexadecimal form, which is the same on every JVM</td></tr>
 *   <tr><td>TEXT</td><td>{@link String}</td><td>a JSON string (any Unicode, NUL included)</td><td>the same</td></tr>
 *   <tr><td>TEXT that is not valid UTF-8</td><td>{@link NonUtf8Text}</td><td>{@code {"text":"<base64 of its bytes>"}}</td>
 *       <td>not supported: such a row is not sealed ({@link #isSupportedKey})</td></tr>
 *   <tr><td>BLOB</td><td>{@code byte[]}</td><td>{@code {"blob":"<base64>"}}</td><td>the same</td></tr>
 * </table>
 *
 * <p>A REAL round-trips bit for bit: the decimal text of a finite double is the shortest that parses back to
 * it. A row is a JSON object of column to value in the order given; a record id is a JSON array of the key's
 * values in key order, so the key 5 ({@code [5]}) is a different row from the key '5' ({@code ["5"]}).
 * Record ids are compared as text, so they are written only by {@link #encodeKey}, which is canonical.
 */
public final class SqlValues {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JSON.getNodeFactory();
    private static final String REAL = "real";
    private static final String BLOB = "blob";
    private static final String TEXT = "text";
    /** Whether reading a tree refuses text after the value: {@link #decodeRow} refuses it alike. */
    private static final boolean TRAILING_TOKENS_FAIL =
            JSON.isEnabled(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SqlValues() {
    }

    /**
     * Column {@code column} of the current row of {@code rs} with its own storage class, exactly: TEXT that is not
     * valid UTF-8 as its bytes ({@link NonUtf8Text}), where {@code getString} would have replaced them.
     */
    public static Object read(java.sql.ResultSet rs, int column) throws java.sql.SQLException {
        Object v = normalize(rs.getObject(column));
        if (v instanceof String s && s.indexOf('\uFFFD') >= 0) {
            // U+FFFD is what sqlite-jdbc puts for each byte it cannot decode; a text may also hold it as itself
            byte[] bytes = rs.getBytes(column);
            if (bytes != null && !NonUtf8Text.isUtf8(bytes) && utf8File(rs)) {
                return new NonUtf8Text(bytes);
            }
        }
        return v;
    }

    /**
     * True if the file {@code rs} reads is UTF-8 encoded ({@code PRAGMA encoding}), as nearly every SQLite file
     * is: only there are a TEXT value's bytes UTF-8 or not. Asked only for text that held U+FFFD.
     */
    private static boolean utf8File(java.sql.ResultSet rs) throws java.sql.SQLException {
        java.sql.Statement from = rs.getStatement();
        if (from == null) {
            return false;
        }
        try (java.sql.Statement s = from.getConnection().createStatement();
             java.sql.ResultSet encoding = s.executeQuery("PRAGMA encoding")) {
            return encoding.next() && "UTF-8".equalsIgnoreCase(encoding.getString(1));
        }
    }

    /**
     * True if a key holding these values can be synced. TEXT that is not valid UTF-8 cannot: record ids are JSON
     * compared as text, and the look-ups by key (the batched ones through {@code json_each} too) bind keys as they
     * are, with no {@code CAST} (docs/storage.md, "Known limits").
     */
    public static boolean isSupportedKey(List<?> key) {
        for (Object v : key) {
            if (v instanceof NonUtf8Text) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value as the codec holds it: {@link Integer}, {@link Short} and {@link Byte} become {@link Long},
     * {@link Float} becomes {@link Double}; null, Long, Double, String and byte[] stay as they are.
     *
     * @throws IllegalArgumentException for any other type
     */
    public static Object normalize(Object value) {
        if (value == null || value instanceof Long || value instanceof Double || value instanceof String
                || value instanceof byte[] || value instanceof NonUtf8Text) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        throw new IllegalArgumentException("not an SQLite value: " + value.getClass().getSimpleName());
    }

    /**
     * A row (column to value, in the map's order) as its JSON text. Written with Jackson's generator straight
     * from the values, the same calls that writing the tree of {@link #node} values makes, without building the
     * tree: the sealer encodes every row it seals.
     */
    public static String encodeRow(Map<String, ?> row) {
        StringWriter text = new StringWriter(64 + 32 * row.size());
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            for (Map.Entry<String, ?> e : row.entrySet()) {
                out.writeName(e.getKey());
                write(out, normalize(e.getValue()));
            }
            out.writeEndObject();
        }
        return text.toString();
    }

    /** One value of a row as {@link #node}{@code (v, false)} would be written. */
    private static void write(JsonGenerator out, Object v) {
        if (v == null) {
            out.writeNull();
        } else if (v instanceof Long l) {
            out.writeNumber(l.longValue());
        } else if (v instanceof String s) {
            out.writeString(s);
        } else if (v instanceof Double d && Double.isFinite(d)) {
            out.writeNumber(d.doubleValue());
        } else {
            out.writeTree(node(v, false));
        }
    }

    /**
     * The row a JSON object describes, in the object's order.
     *
     * @throws IllegalArgumentException if the text is not such an object or holds a value of no storage class
     */
    public static LinkedHashMap<String, Object> decodeRow(String json) {
        LinkedHashMap<String, Object> row = readRow(json);
        return row != null ? row : decodeRowAsTree(json);
    }

    /**
     * The row read token by token, as every received row is (a tree per row was a tenth of applying one); null
     * when the text is anything but a plain object of distinct columns with valid values, which
     * {@link #decodeRowAsTree} then reads, or refuses, as rows were always read.
     */
    private static LinkedHashMap<String, Object> readRow(String json) {
        if (json == null) {
            return null;
        }
        try (JsonParser in = JSON.createParser(json)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            LinkedHashMap<String, Object> row = new LinkedHashMap<>();
            while (in.nextToken() == JsonToken.PROPERTY_NAME) {
                String column = in.currentName();
                if (row.containsKey(column)) {
                    return null; // the tree keeps the last value, and checks only that one
                }
                row.put(column, value(in, in.nextToken()));
            }
            return TRAILING_TOKENS_FAIL && in.nextToken() != null ? null : row;
        } catch (JacksonException | IllegalArgumentException e) {
            return null;
        }
    }

    private static LinkedHashMap<String, Object> decodeRowAsTree(String json) {
        JsonNode tree = parse(json);
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException("row data is not a JSON object");
        }
        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            row.put(e.getKey(), value(e.getValue()));
        }
        return row;
    }

    /** The value at the parser's current token, {@code t}. */
    private static Object value(JsonParser in, JsonToken t) {
        switch (t) {
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                return in.getString();
            case VALUE_NUMBER_INT:
                if (in.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new IllegalArgumentException("integer out of the 64-bit range: " + in.getString());
                }
                return in.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return in.getDoubleValue();
            default:
                return value((JsonNode) in.readValueAsTree());
        }
    }

    /**
     * The canonical record id of a key: its values, in key order, as a JSON array.
     *
     * @throws IllegalArgumentException if the key is empty or not {@link #isSupportedKey supported}
     */
    public static String encodeKey(List<?> key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a key has at least one value");
        }
        if (!isSupportedKey(key)) {
            throw new IllegalArgumentException("a key holding TEXT that is not valid UTF-8 is not supported: " + key);
        }
        StringWriter text = new StringWriter(16 * key.size());
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartArray();
            for (Object value : key) {
                Object v = normalize(value);
                if (v == null || v instanceof Long || v instanceof String) {
                    write(out, v);
                } else {
                    out.writeTree(node(v, true));
                }
            }
            out.writeEndArray();
        }
        return text.toString();
    }

    /**
     * The key values a record id names, in key order.
     *
     * @throws IllegalArgumentException if it is not a non-empty JSON array of values
     */
    public static List<Object> decodeKey(String recordId) {
        Object single = singleKey(recordId);
        if (single != null) {
            return List.of(single);
        }
        JsonNode tree = parse(recordId);
        if (!(tree instanceof ArrayNode array) || array.isEmpty()) {
            throw new IllegalArgumentException("record id is not a non-empty JSON array: " + recordId);
        }
        List<Object> key = new ArrayList<>(array.size());
        for (JsonNode v : array) {
            key.add(value(v));
        }
        if (!isSupportedKey(key)) {
            throw new IllegalArgumentException("a key holding TEXT that is not valid UTF-8 is not supported: " + recordId);
        }
        return key;
    }

    /**
     * The key of a record id that is one plain text ({@code ["a b"]}: no quote, backslash or control
     * character inside) or one integer ({@code [42]}, {@code [-7]}: no leading zero, within 64 bits), read
     * without a JSON parser, as most keys are; null for anything else, which the parser reads (or refuses).
     */
    private static Object singleKey(String recordId) {
        int n = recordId.length();
        if (n < 3 || recordId.charAt(0) != '[' || recordId.charAt(n - 1) != ']') {
            return null;
        }
        if (recordId.charAt(1) == '"') {
            if (n < 4 || recordId.charAt(n - 2) != '"') {
                return null;
            }
            for (int i = 2; i < n - 2; i++) {
                char c = recordId.charAt(i);
                if (c == '"' || c == '\\' || c < 0x20) {
                    return null;
                }
            }
            return recordId.substring(2, n - 2);
        }
        int start = recordId.charAt(1) == '-' ? 2 : 1;
        int digits = n - 1 - start;
        if (digits < 1 || digits > 18 || recordId.charAt(start) == '0' && digits > 1) {
            return null; // 19 digits may be past a long: the parser decides
        }
        for (int i = start; i < n - 1; i++) {
            char c = recordId.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(recordId.substring(1, n - 1));
    }

    /** True if both are the same SQLite value: same storage class and same bits (0.0 and -0.0 differ). */
    public static boolean same(Object a, Object b) {
        Object x = normalize(a);
        Object y = normalize(b);
        if (x instanceof byte[] p && y instanceof byte[] q) {
            return Arrays.equals(p, q);
        }
        if (x instanceof Double p && y instanceof Double q) {
            return Double.doubleToRawLongBits(p) == Double.doubleToRawLongBits(q);
        }
        return Objects.equals(x, y);
    }

    /** True if both rows have the same columns with the {@link #same} values, in any order. */
    public static boolean sameRow(Map<String, ?> a, Map<String, ?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, ?> e : a.entrySet()) {
            if (!b.containsKey(e.getKey()) || !same(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode node(Object v, boolean inKey) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Double d) {
            if (inKey) {
                return NODES.objectNode().put(REAL, Double.toHexString(d));
            }
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.objectNode().put(REAL, d.toString());
        }
        if (v instanceof String s) {
            return NODES.stringNode(s);
        }
        if (v instanceof NonUtf8Text text) {
            return NODES.objectNode().put(TEXT, Base64.getEncoder().encodeToString(text.raw()));
        }
        return NODES.objectNode().put(BLOB, Base64.getEncoder().encodeToString((byte[]) v));
    }

    private static Object value(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw new IllegalArgumentException("integer out of the 64-bit range: " + v);
            }
            return v.longValue();
        }
        if (v.isFloatingPointNumber()) {
            return v.doubleValue();
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v instanceof ObjectNode tagged && tagged.size() == 1) {
            JsonNode real = tagged.get(REAL);
            if (real != null && real.isString()) {
                try {
                    return Double.parseDouble(real.asString());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a REAL value: " + real);
                }
            }
            JsonNode blob = tagged.get(BLOB);
            if (blob != null && blob.isString()) {
                try {
                    return Base64.getDecoder().decode(blob.asString());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("BLOB value is not base64");
                }
            }
            JsonNode text = tagged.get(TEXT);
            if (text != null && text.isString()) {
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(text.asString());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("TEXT bytes are not base64");
                }
                if (!Base64.getEncoder().encodeToString(bytes).equals(text.asString())) {
                    throw new IllegalArgumentException("TEXT bytes are not in canonical base64 (padded, no spare bits)");
                }
                return new NonUtf8Text(bytes); // refuses valid UTF-8: that is a JSON string, one form per value
            }
        }
        throw new IllegalArgumentException("not an SQLite value: " + v);
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            throw new IllegalArgumentException("no JSON text");
        }
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
    }
}
