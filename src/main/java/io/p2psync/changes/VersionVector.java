package io.p2psync.changes;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a device (or a row) has seen: for each origin device id, the highest version seen from it. An origin
 * that is absent counts as version 0. Immutable; the single place where causality is decided.
 *
 * <p>As JSON (the admin API shows it; the sync wire format converts it in {@code io.p2psync.wire}) it is an object from origin id to version with keys in sorted order and no spaces, e.g.
 * {@code {"12D3KooWA…":3,"12D3KooWB…":1}}; {@link #toJson()} is that canonical form and is what the entry
 * hash covers. Origins with version 0 are never stored.
 */
public final class VersionVector {

    /** How two vectors relate. */
    public enum Order {
        /** Both saw exactly the same. */
        EQUAL,
        /** This one saw strictly less: the other happened after it. */
        BEFORE,
        /** This one saw strictly more. */
        AFTER,
        /** Each saw something the other did not. */
        CONCURRENT
    }

    public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SortedMap<String, Long> versions;
    /**
     * {@link #toJson()}, made on first use: a vector is written three times per sealed entry (its hash, the log
     * row, the row state). The vector is immutable, so a race only makes the same text twice.
     */
    private String json;

    private VersionVector(SortedMap<String, Long> versions) {
        this.versions = versions;
    }

    /**
     * @throws IllegalArgumentException if an origin is blank or a version is negative
     */
    public static VersionVector of(Map<String, Long> versions) {
        TreeMap<String, Long> copy = new TreeMap<>();
        versions.forEach((origin, version) -> {
            if (origin == null || origin.isBlank()) {
                throw new IllegalArgumentException("a version vector origin must not be blank");
            }
            if (version == null || version < 0) {
                throw new IllegalArgumentException("version of " + origin + " must be >= 0, was " + version);
            }
            if (version > 0) {
                copy.put(origin, version);
            }
        });
        return copy.isEmpty() ? EMPTY : new VersionVector(copy);
    }

    /**
     * Parses the JSON form; {@code null} or blank text is the empty vector.
     *
     * @throws IllegalArgumentException if the text is not a JSON object of origin to non-negative integer
     */
    public static VersionVector parse(String json) {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        // the usual form, an object of integers, read token by token; anything else the way it always was
        try (JsonParser in = JSON.createParser(json)) {
            if (in.nextToken() == JsonToken.START_OBJECT) {
                TreeMap<String, Long> map = new TreeMap<>();
                JsonToken t;
                while ((t = in.nextToken()) == JsonToken.PROPERTY_NAME) {
                    String origin = in.currentName();
                    if (in.nextToken() != JsonToken.VALUE_NUMBER_INT || in.getNumberType() != JsonParser.NumberType.INT
                            && in.getNumberType() != JsonParser.NumberType.LONG || map.containsKey(origin)) {
                        break;
                    }
                    map.put(origin, in.getLongValue());
                }
                if (t == JsonToken.END_OBJECT && in.nextToken() == null) {
                    return of(map);
                }
            }
        } catch (JacksonException e) {
            // not the usual form: parsed below as before
        }
        try {
            Map<String, Long> map = JSON.readValue(json, JSON.getTypeFactory().constructMapType(TreeMap.class, String.class, Long.class));
            return of(map);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a version vector: " + e.getOriginalMessage(), e);
        }
    }

    /** The version seen from {@code origin}, 0 if none. */
    public long get(String origin) {
        return versions.getOrDefault(origin, 0L);
    }

    /** This vector with {@code origin} raised to {@code version} (never lowered). */
    public VersionVector with(String origin, long version) {
        if (version <= get(origin)) {
            return this;
        }
        TreeMap<String, Long> copy = new TreeMap<>(versions);
        copy.put(origin, version);
        return new VersionVector(copy);
    }

    /** The least vector that is at or after both: the maximum per origin. */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> copy = new TreeMap<>(versions);
        other.versions.forEach((origin, version) -> copy.merge(origin, version, Math::max));
        return new VersionVector(copy);
    }

    /** How this vector relates to {@code other}. */
    public Order compare(VersionVector other) {
        boolean less = false;
        boolean more = false;
        TreeMap<String, Long> all = new TreeMap<>(versions);
        all.putAll(other.versions);
        for (String origin : all.keySet()) {
            long mine = get(origin);
            long theirs = other.get(origin);
            less |= mine < theirs;
            more |= mine > theirs;
        }
        if (less && more) {
            return Order.CONCURRENT;
        }
        return less ? Order.BEFORE : more ? Order.AFTER : Order.EQUAL;
    }

    /** True if this vector has seen everything {@code other} has (EQUAL or AFTER). */
    public boolean dominates(VersionVector other) {
        Order order = compare(other);
        return order == Order.EQUAL || order == Order.AFTER;
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    /** The origins and versions, sorted by origin; unmodifiable. */
    @JsonValue
    public Map<String, Long> asMap() {
        return Collections.unmodifiableSortedMap(versions);
    }

    /** The canonical JSON: sorted keys, no whitespace. */
    public String toJson() {
        String j = json;
        if (j == null) {
            j = plainJson();
            if (j == null) {
                j = JSON.writeValueAsString(versions);
            }
            json = j;
        }
        return j;
    }

    /**
     * The JSON written by hand when every origin is printable ASCII other than a quote or backslash (device
     * ids are base58), which Jackson writes as it is; null otherwise, and Jackson writes it.
     */
    private String plainJson() {
        StringBuilder out = new StringBuilder(2 + versions.size() * 64);
        out.append('{');
        for (Map.Entry<String, Long> e : versions.entrySet()) {
            String origin = e.getKey();
            for (int i = 0; i < origin.length(); i++) {
                char c = origin.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    return null;
                }
            }
            out.append(out.length() == 1 ? "\"" : ",\"").append(origin).append("\":").append(e.getValue().longValue());
        }
        return out.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && versions.equals(v.versions);
    }

    @Override
    public int hashCode() {
        return versions.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
