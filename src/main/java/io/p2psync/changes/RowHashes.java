package io.p2psync.changes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a row held when it was last sealed or written by the node, one short hash per column
 * ({@code sync_row_state.column_hashes}): the sealer and the reconciliation scan compare a row with it to
 * learn which columns changed, without keeping a copy of the row. Every write the node makes to a tracked
 * row stores the hashes of what it wrote, so only changes made by others ever differ.
 *
 * <p>A column's hash is the first 8 bytes of SHA-256 over its storage class and exact bytes (see
 * {@link SqlValues}), as 16 hex digits; the whole is a JSON object of column to hash in column order.
 */
public final class RowHashes {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() { };
    private static final JsonStringEncoder ESCAPES = JsonStringEncoder.getInstance();
    /** One digest per thread: looking SHA-256 up for every row costs more than hashing a short value. */
    private static final ThreadLocal<MessageDigest> SHA = ThreadLocal.withInitial(RowHashes::sha256);

    private RowHashes() {
    }

    /** The hashes of a row (column to value) as stored in {@code column_hashes}. */
    public static String of(Map<String, ?> row) {
        // Written straight into text: every row the node writes passes here, and a JSON generator and a map
        // per row cost more than the hashing. The text is what writing {@link #hashes} with Jackson gives.
        MessageDigest sha = SHA.get();
        StringBuilder text = new StringBuilder(2 + row.size() * 40).append('{');
        row.forEach((column, value) -> member(text, column, hash(sha, value)));
        return text.append('}').toString();
    }

    /** Hashes made with {@link #hashes} as stored in {@code column_hashes}. */
    static String write(Map<String, String> hashes) {
        StringBuilder text = new StringBuilder(2 + hashes.size() * 40).append('{');
        hashes.forEach((column, hash) -> member(text, column, hash));
        return text.append('}').toString();
    }

    /** Appends {@code "column":"hash"} to an object begun in {@code text}, the name escaped as Jackson does. */
    private static void member(StringBuilder text, String column, String hash) {
        if (text.length() > 1) {
            text.append(',');
        }
        text.append('"');
        ESCAPES.quoteAsString(column, text);
        text.append("\":\"").append(hash).append('"'); // a hash is 16 hex digits: nothing to escape
    }

    /** The hash of one value, as {@link #hashes} makes it for a column holding it. */
    static String hash(Object value) {
        return hash(SHA.get(), value);
    }

    /** The hashes of a row, column to hash in row order, before they are written as JSON. */
    static Map<String, String> hashes(Map<String, ?> row) {
        Map<String, String> out = new LinkedHashMap<>();
        MessageDigest sha = SHA.get();
        row.forEach((column, value) -> out.put(column, hash(sha, value)));
        return out;
    }

    /**
     * The columns of {@code row} whose value differs from what {@code stored} recorded, in row order: changed
     * values and columns {@code stored} does not know (added since). A null or unreadable {@code stored}
     * means every column.
     */
    public static Set<String> changed(String stored, Map<String, ?> row) {
        return changed(parse(stored), row);
    }

    /** {@link #changed(String, Map)} for hashes already read with {@link #parse}. */
    static Set<String> changed(Map<String, String> before, Map<String, ?> row) {
        Set<String> changed = new LinkedHashSet<>();
        MessageDigest sha = SHA.get();
        row.forEach((column, value) -> {
            if (before == null || !hash(sha, value).equals(before.get(column))) {
                changed.add(column);
            }
        });
        return changed;
    }

    /** {@link #changed(Map, Map)} for a row whose hashes were made with {@link #hashes} already. */
    static Set<String> changedHashes(Map<String, String> before, Map<String, String> now) {
        Set<String> changed = new LinkedHashSet<>();
        now.forEach((column, hash) -> {
            if (before == null || !hash.equals(before.get(column))) {
                changed.add(column);
            }
        });
        return changed;
    }

    /** True if {@code stored} records a hash for {@code column}; false for a null or unreadable record. */
    public static boolean knows(String stored, String column) {
        Map<String, String> before = parse(stored);
        return before != null && before.containsKey(column);
    }

    /** True if the row holds exactly what {@code stored} recorded: the same columns and values. */
    public static boolean matches(String stored, Map<String, ?> row) {
        Map<String, String> before = parse(stored);
        return before != null && before.size() == row.size() && changed(stored, row).isEmpty();
    }

    /** The hashes {@code stored} records, column to hash; null for a null or unreadable record. */
    static Map<String, String> parse(String stored) {
        if (stored == null) {
            return null;
        }
        // the usual form, an object of strings, read token by token; anything else the way it always was
        try (JsonParser in = JSON.createParser(stored)) {
            if (in.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> out = new LinkedHashMap<>();
                JsonToken t;
                while ((t = in.nextToken()) == JsonToken.PROPERTY_NAME) {
                    String column = in.currentName();
                    if (in.nextToken() != JsonToken.VALUE_STRING || out.containsKey(column)) {
                        break;
                    }
                    out.put(column, in.getString());
                }
                if (t == JsonToken.END_OBJECT && in.nextToken() == null) {
                    return out;
                }
            }
        } catch (JacksonException e) {
            // not the usual form: answered below as before
        }
        try {
            return JSON.readValue(stored, MAP);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String hash(MessageDigest sha, Object value) {
        Object v = SqlValues.normalize(value);
        sha.reset();
        if (v == null) {
            sha.update((byte) 0);
        } else if (v instanceof Long l) {
            sha.update((byte) 1);
            sha.update(ByteBuffer.allocate(8).putLong(l).array());
        } else if (v instanceof Double d) {
            sha.update((byte) 2);
            sha.update(ByteBuffer.allocate(8).putLong(Double.doubleToRawLongBits(d)).array());
        } else if (v instanceof String s) {
            sha.update((byte) 3);
            sha.update(s.getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof NonUtf8Text text) {
            sha.update((byte) 3); // TEXT too, as SQLite holds it: its exact bytes
            sha.update(text.raw());
        } else {
            sha.update((byte) 4);
            sha.update((byte[]) v);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
