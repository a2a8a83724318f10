package io.p2psync.live;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.SqlValues;
import io.p2psync.wire.WireEntry;
import io.p2psync.wire.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns gossip payloads into {@link GossipPayload}s and back. An entry travels as a {@link WireEntry} (the
 * same form as in {@code /sync/pull}) with the wire {@code format} added; a seed-protocol change as an object
 * with the single field {@code Put} or {@code Delete}, whose timestamp is RFC 3339 (any offset). Thread-safe.
 */
final class PayloadCodec {

    /** Thrown for a payload that is not one of the accepted shapes; the message says what is wrong. */
    static final class MalformedPayloadException extends RuntimeException {
        MalformedPayloadException(String message) {
            super(message);
        }
    }

    private static final String FORMAT = "format";

    private final JsonMapper json;

    PayloadCodec(JsonMapper json) {
        this.json = json;
    }

    /** @throws MalformedPayloadException if {@code data} is not a well-formed payload */
    GossipPayload decode(byte[] data) {
        JsonNode root;
        try {
            root = json.readTree(data);
        } catch (JacksonException e) {
            throw new MalformedPayloadException("not JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new MalformedPayloadException("not a JSON object");
        }
        if (root.size() == 1 && root.has("Put")) {
            JsonNode put = root.get("Put");
            return new GossipPayload.SeedPut(text(put, "key"), text(put, "value"), timestamp(put));
        }
        if (root.size() == 1 && root.has("Delete")) {
            JsonNode delete = root.get("Delete");
            return new GossipPayload.SeedDelete(text(delete, "key"), timestamp(delete));
        }
        try {
            JsonNode format = ((ObjectNode) root).remove(FORMAT);
            WireFormat.check(format == null || format.isNull() ? null : format.isInt() ? format.intValue() : -1);
            return new GossipPayload.Entry(json.treeToValue(root, WireEntry.class).toDomain());
        } catch (JacksonException | IllegalArgumentException e) {
            String why = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            throw new MalformedPayloadException("not a change log entry: " + firstLine(why));
        }
    }

    /** An entry as a gossip message: the wire entry's fields with {@code "format"} first. */
    byte[] encode(ChangeEntry entry) {
        ObjectNode message = json.createObjectNode().put(FORMAT, WireFormat.CURRENT);
        message.setAll((ObjectNode) json.valueToTree(WireEntry.of(entry)));
        return json.writeValueAsBytes(message);
    }

    byte[] encodePut(String key, String value, Instant timestamp) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("value", value);
        body.put("timestamp", timestamp.toString());
        return json.writeValueAsBytes(Map.of("Put", body));
    }

    byte[] encodeDelete(String key, Instant timestamp) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("timestamp", timestamp.toString());
        return json.writeValueAsBytes(Map.of("Delete", body));
    }

    private static String text(JsonNode object, String field) {
        if (object == null || !object.isObject()) {
            throw new MalformedPayloadException("seed message body is not an object");
        }
        JsonNode value = object.get(field);
        if (value == null || !value.isString()) {
            throw new MalformedPayloadException("seed message lacks the text field '" + field + "'");
        }
        return value.asString();
    }

    private static Instant timestamp(JsonNode object) {
        String text = text(object, "timestamp");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedPayloadException("seed timestamp '" + abbreviate(text) + "' is not RFC 3339");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    /**
     * The size in bytes of the {@code value} of a {@code sync_kv} row as an entry carries it: its UTF-8, or the
     * bytes of TEXT that is not UTF-8 or of a BLOB; 0 if the row has none (a delete).
     *
     * @throws MalformedPayloadException if {@code rowJson} is not a row
     */
    long kvValueBytes(String rowJson) {
        if (rowJson == null) {
            return 0;
        }
        Object value;
        try {
            value = io.p2psync.changes.SqlValues.decodeRow(rowJson).get("value");
        } catch (IllegalArgumentException e) {
            throw new MalformedPayloadException("row data is not a row: " + e.getMessage());
        }
        if (value instanceof String text) {
            return utf8Length(text);
        }
        if (value instanceof io.p2psync.changes.NonUtf8Text text) {
            return text.bytes().length;
        }
        if (value instanceof byte[] bytes) {
            return bytes.length;
        }
        return value == null ? 0 : String.valueOf(value).length();
    }

    /**
     * The key a {@code sync_kv} record id names: record ids are {@link SqlValues#encodeKey} of the key, so
     * {@code ["greeting"]} is the key {@code greeting}.
     *
     * @throws MalformedPayloadException if it is not the record id of one text key
     */
    String kvKey(String recordId) {
        try {
            List<Object> key = SqlValues.decodeKey(recordId);
            if (key.size() == 1 && key.get(0) instanceof String text) {
                return text;
            }
        } catch (IllegalArgumentException bad) {
            // answered below
        }
        throw new MalformedPayloadException("not the record id of a sync_kv key: " + recordId);
    }

    /** The fields of a {@code sync_kv} row: key, value, timestamp and deleted_at (null when absent). */
    Map<String, String> kvRow(String rowJson) {
        JsonNode row = json.readTree(rowJson);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String f : new String[] {"key", "value", "timestamp", "deleted_at"}) {
            JsonNode v = row.get(f);
            fields.put(f, v == null || v.isNull() ? null : v.asString());
        }
        return fields;
    }

    static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
