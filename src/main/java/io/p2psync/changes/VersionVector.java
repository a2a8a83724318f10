package io.p2psync.changes;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
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
    /** {@link #toJson()}, worked out on first use (the vector never changes). */
    private volatile String json;

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
        if (json == null || json.isBlank() || json.equals("{}")) {
            return EMPTY;
        }
        VersionVector plain = parsePlain(json);
        if (plain != null) {
            return plain;
        }
        try {
            Map<String, Long> map = JSON.readValue(json, JSON.getTypeFactory().constructMapType(TreeMap.class, String.class, Long.class));
            return of(map);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a version vector: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The vector of a text in the form {@link #toJson()} writes for base58 origins ({@code {"A1":3,"B2":1}}:
     * no spaces, letters and digits for origins, versions of at most 18 digits), read without a JSON parser
     * as every stored base and row state is; null for any other text, which the parser reads or refuses.
     */
    private static VersionVector parsePlain(String json) {
        int n = json.length();
        if (json.charAt(0) != '{' || json.charAt(n - 1) != '}') {
            return null;
        }
        TreeMap<String, Long> versions = new TreeMap<>();
        int i = 1;
        while (i < n - 1) {
            if (json.charAt(i) != '"') {
                return null;
            }
            int start = ++i;
            while (i < n && isPlain(json.charAt(i))) {
                i++;
            }
            if (i == start || i + 2 >= n || json.charAt(i) != '"' || json.charAt(i + 1) != ':') {
                return null;
            }
            String origin = json.substring(start, i);
            i += 2;
            int digits = i;
            while (i < n && json.charAt(i) >= '0' && json.charAt(i) <= '9') {
                i++;
            }
            if (i == digits || i - digits > 18 || json.charAt(digits) == '0' && i - digits > 1
                    || versions.put(origin, Long.parseLong(json, digits, i, 10)) != null) {
                return null; // a repeated origin: the parser's rules decide
            }
            if (json.charAt(i) == ',' && i + 1 < n - 1) {
                i++;
            } else if (i != n - 1) {
                return null;
            }
        }
        return of(versions);
    }

    private static boolean isPlain(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
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

    /** The number of origins seen. */
    public int size() {
        return versions.size();
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
        String known = json;
        if (known == null) {
            json = known = encode();
        }
        return known;
    }

    /**
     * Origins are peer ids, base58 letters and digits, which JSON writes as they are: written directly, the
     * text is the one Jackson gives, without a generator per call (this runs for every entry stored and
     * every row state saved). Any other origin goes through Jackson, which knows what to escape.
     */
    private String encode() {
        StringBuilder out = new StringBuilder(2 + versions.size() * 64).append('{');
        for (Map.Entry<String, Long> v : versions.entrySet()) {
            String origin = v.getKey();
            for (int i = 0; i < origin.length(); i++) {
                if (!isPlain(origin.charAt(i))) {
                    return JSON.writeValueAsString(versions);
                }
            }
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(origin).append("\":").append(v.getValue().longValue());
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
