package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class SqlValuesTest {

    @Property(tries = 500)
    void everyValueRoundTripsExactlyInRowsAndKeys(@ForAll("values") List<Object> values) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            row.put("c" + i, values.get(i));
        }
        Map<String, Object> back = SqlValues.decodeRow(SqlValues.encodeRow(row));
        assertThat(new ArrayList<>(back.keySet())).containsExactlyElementsOf(row.keySet());
        assertThat(SqlValues.sameRow(row, back)).as("row %s came back as %s", row, back).isTrue();
        if (!values.isEmpty()) {
            String id = SqlValues.encodeKey(values);
            List<Object> key = SqlValues.decodeKey(id);
            for (int i = 0; i < values.size(); i++) {
                assertThat(SqlValues.same(values.get(i), key.get(i))).as("key value %s", values.get(i)).isTrue();
            }
            assertThat(SqlValues.encodeKey(key)).as("record ids are canonical").isEqualTo(id);
        }
    }

    /**
     * Record ids of one plain text or integer are read without the JSON parser; any text at all must decode
     * to what the parser makes of it, or be refused as the parser refuses it.
     */
    @Property(tries = 2000)
    void aRecordIdDecodesAsTheJsonParserReadsIt(@ForAll("recordIds") String id) {
        List<Object> expected;
        try {
            tools.jackson.databind.JsonNode tree = tools.jackson.databind.json.JsonMapper.builder().build().readTree(id);
            if (!tree.isArray() || tree.isEmpty()) {
                throw new IllegalArgumentException("not a key");
            }
            expected = new ArrayList<>();
            for (tools.jackson.databind.JsonNode v : tree) {
                expected.add(v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.longValue()
                        : v.isString() ? v.asString() : v);
            }
        } catch (RuntimeException refused) {
            assertThatThrownBy(() -> SqlValues.decodeKey(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        if (expected.stream().allMatch(v -> v instanceof Long || v instanceof String)) {
            assertThat(SqlValues.decodeKey(id)).as(id).isEqualTo(expected);
        }
    }

    @Provide
    Arbitrary<String> recordIds() {
        Arbitrary<String> inside = Arbitraries.strings().withChars("\"\\-0123456789aZ \u00e9\u0001[],").ofMaxLength(8);
        return Arbitraries.oneOf(inside.map(t -> "[" + t + "]"), inside.map(t -> "[\"" + t + "\"]"),
                Arbitraries.longs().map(l -> "[" + l + "]"), inside);
    }

    /**
     * encodeRow writes with Jackson's generator instead of building a tree: the text must be exactly what the
     * tree gave (entries carry it byte for byte and their hashes cover it), and so must the column hashes,
     * for any column names and values, NaN and the infinities included.
     */
    @Property(tries = 500)
    void rowsAndColumnHashesAreWrittenExactlyAsJacksonWritesTheirTrees(@ForAll("values") List<Object> values,
            @ForAll("names") List<String> names, @ForAll boolean nan) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            row.put(i < names.size() ? names.get(i) : "c" + i, values.get(i));
        }
        if (nan) {
            row.put("nan", Double.NaN);
        }
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode tree = json.getNodeFactory().objectNode();
        row.forEach((column, value) -> tree.set(column, json.valueToTree(value == null ? null
                : value instanceof Double d && Double.isFinite(d) ? d
                : value instanceof Double d ? Map.of("real", d.toString())
                : value instanceof byte[] b ? Map.of("blob", java.util.Base64.getEncoder().encodeToString(b))
                : value)));
        assertThat(SqlValues.encodeRow(row)).isEqualTo(json.writeValueAsString(tree));
        if (!values.isEmpty()) {
            tools.jackson.databind.node.ArrayNode key = json.getNodeFactory().arrayNode();
            values.forEach(value -> key.add(json.valueToTree(value == null ? null
                    : value instanceof Double d ? Map.of("real", Double.toHexString(d))
                    : value instanceof byte[] b ? Map.of("blob", java.util.Base64.getEncoder().encodeToString(b))
                    : value)));
            assertThat(SqlValues.encodeKey(values)).isEqualTo(json.writeValueAsString(key));
        }
        String hashes = RowHashes.of(row);
        assertThat(hashes).isEqualTo(json.writeValueAsString(RowHashes.hashes(row)));
        assertThat(RowHashes.parse(hashes)).containsExactlyEntriesOf(RowHashes.hashes(row));
        assertThat(RowHashes.changed(hashes, row)).isEmpty();
    }

    @Test
    void columnHashesNotInTheUsualFormAreReadAsBefore() {
        assertThat(RowHashes.parse("{\"a\":\"1\",\"a\":\"2\"}")).containsExactly(Map.entry("a", "2"));
        assertThat(RowHashes.parse("{\"a\":1}")).containsExactly(Map.entry("a", "1"));
        assertThat(RowHashes.parse("{}")).isEmpty();
        assertThat(RowHashes.parse("[1]")).isNull();
        assertThat(RowHashes.parse("{\"a\":")).isNull();
        assertThat(RowHashes.parse(null)).isNull();
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.strings().all().ofMaxLength(12).filter(SqlValuesTest::wellFormed).list().uniqueElements()
                .ofMaxSize(6);
    }

    @Test
    void realsKeepEveryBitAndStayRealsInRows() {
        String json = SqlValues.encodeRow(Map.of("r", 0.1 + 0.2));
        assertThat(json).isEqualTo("{\"r\":0.30000000000000004}");
        assertThat(SqlValues.encodeRow(Map.of("r", 5.0))).isEqualTo("{\"r\":5.0}");
        assertThat(SqlValues.decodeRow("{\"r\":5.0}").get("r")).isEqualTo(5.0);
        assertThat(SqlValues.decodeRow("{\"r\":5}").get("r")).isEqualTo(5L);
        assertThat(SqlValues.decodeRow(SqlValues.encodeRow(Map.of("r", Double.NEGATIVE_INFINITY))).get("r"))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(SqlValues.same(-0.0, 0.0)).isFalse();
    }

    @Test
    void keysMatchByType() {
        assertThat(SqlValues.encodeKey(List.of(5L))).isEqualTo("[5]");
        assertThat(SqlValues.encodeKey(List.of("5"))).isEqualTo("[\"5\"]");
        assertThat(SqlValues.encodeKey(List.of(5))).as("an Integer is an INTEGER").isEqualTo("[5]");
        assertThat(SqlValues.encodeKey(List.of(1.5))).isEqualTo("[{\"real\":\"0x1.8p0\"}]");
        assertThat(SqlValues.encodeKey(List.of(new byte[] {0, -1}))).isEqualTo("[{\"blob\":\"AP8=\"}]");
    }

    @Test
    void textKeepsNulAndAnyUnicode() {
        String text = "a\u0000b \uD83D\uDE00 \u00e9\u4e2d";
        assertThat(SqlValues.decodeRow(SqlValues.encodeRow(Map.of("t", text))).get("t")).isEqualTo(text);
    }

    @Test
    void textThatIsNotUtf8IsReadAsItsBytesAndTravelsAsThem() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
             java.sql.Statement s = c.createStatement()) {
            // a Latin-1 'café' (é as the single byte E9), and valid text that holds U+FFFD itself
            try (java.sql.ResultSet rs = s.executeQuery("SELECT CAST(X'636166E9' AS TEXT), 'caf\uFFFD'")) {
                rs.next();
                assertThat(SqlValues.read(rs, 1)).isEqualTo(new NonUtf8Text(new byte[] {0x63, 0x61, 0x66, (byte) 0xE9}));
                assertThat(((NonUtf8Text) SqlValues.read(rs, 1)).asReadBefore()).as("as getString reads it")
                        .isEqualTo(rs.getString(1));
                assertThat(SqlValues.read(rs, 2)).isEqualTo("caf\uFFFD");
            }
        }
        NonUtf8Text latin1 = new NonUtf8Text(new byte[] {0x63, 0x61, 0x66, (byte) 0xE9});
        String row = SqlValues.encodeRow(Map.of("t", latin1));
        assertThat(row).isEqualTo("{\"t\":{\"text\":\"Y2Fm6Q==\"}}");
        assertThat(SqlValues.decodeRow(row).get("t")).isEqualTo(latin1);
        assertThat(SqlValues.same(latin1, "caf\uFFFD")).isFalse();
        assertThat(RowHashes.of(Map.of("t", latin1))).as("hashed by its bytes")
                .isNotEqualTo(RowHashes.of(Map.of("t", new NonUtf8Text(new byte[] {0x63, 0x61, 0x66, (byte) 0xE8}))))
                .isNotEqualTo(RowHashes.of(Map.of("t", "caf\uFFFD")));
        // one form per value: valid UTF-8 is a JSON string, never tagged
        assertThatThrownBy(() -> SqlValues.decodeRow("{\"t\":{\"text\":\"Y2Fm\"}}"))
                .isInstanceOf(IllegalArgumentException.class);
        for (String other : new String[] {"/w", "/x==", "/w=="}) { // the same byte FF without padding, with spare bits
            String json = "{\"t\":{\"text\":\"" + other + "\"}}";
            if (other.equals("/w==")) {
                assertThat(SqlValues.decodeRow(json).get("t")).isEqualTo(new NonUtf8Text(new byte[] {(byte) 0xFF}));
            } else {
                assertThatThrownBy(() -> SqlValues.decodeRow(json)).as(other).isInstanceOf(IllegalArgumentException.class);
            }
        }
        // a key cannot hold it: SQL finds rows by key, and JDBC hands SQLite a key only as a String
        assertThat(SqlValues.isSupportedKey(List.of("k", latin1))).isFalse();
        assertThatThrownBy(() -> SqlValues.encodeKey(List.of(latin1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeKey("[{\"text\":\"Y2Fm6Q==\"}]"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesWhatNoStorageClassHolds() {
        assertThatThrownBy(() -> SqlValues.decodeRow("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeRow("{\"a\":true}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeRow("{\"a\":[1]}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeRow("{\"a\":{\"blob\":\"***\"}}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeRow("{\"a\":123456789012345678901234567890}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeKey("[]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.decodeKey("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlValues.normalize(true)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Rows are read token by token; reading them as a tree (the way before, kept below as the oracle) must give
     * the same row, in the same order, or refuse the same texts.
     */
    @Property(tries = 2000)
    void rowsReadTokenByTokenAsTheTreeReadsThem(@ForAll("rowTexts") String text) {
        Map<String, Object> expected;
        try {
            expected = decodeRowAsTree(text);
        } catch (IllegalArgumentException refused) {
            assertThatThrownBy(() -> SqlValues.decodeRow(text)).as(text).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        Map<String, Object> got = SqlValues.decodeRow(text);
        assertThat(new ArrayList<>(got.keySet())).as(text).containsExactlyElementsOf(expected.keySet());
        assertThat(SqlValues.sameRow(expected, got)).as("%s read as %s, not %s", text, got, expected).isTrue();
    }

    @Test
    void rowTextsAtTheEdgesReadAsTheTreeReadsThem() {
        for (String text : List.of("{}", "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":2,\"a\":\"x\"}", "{} ", "{}{}", "{} x",
                "{\"a\":1}]", "", " ", "null", "1", "\"s\"", "{\"a\":{\"real\":\"1.5\",\"real\":\"2.5\"}}",
                "{\"a\":{\"blob\":\"AP8=\",\"x\":1}}", "{\"a\":{}}", "{\"a\":{\"real\":1.5}}", "{\"a\":-0.0}", "{\"a\":1e400}",
                "{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}", "{\"a\":-9223372036854775808}",
                "{\"a\":-9223372036854775809}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":null,\"b\":false}", "{\"a\":\"\\u0000\"}",
                "{\"a\":[{\"blob\":\"AA==\"}]}", "{'a':1}", "{\"a\":1,}", "{\"a\" 1}")) {
            rowsReadTokenByTokenAsTheTreeReadsThem(text);
        }
    }

    @Provide
    Arbitrary<String> rowTexts() {
        Arbitrary<String> plain = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf), Arbitraries.of("null", "true", "false", "1e400",
                        "123456789012345678901234567890", "-0.0", "0", "\"\"", "\"a\\\"b\"", "\"\\u00e9\""),
                Arbitraries.strings().alpha().ofMaxLength(5).map(t -> "\"" + t + "\""));
        Arbitrary<String> tagged = Arbitraries.oneOf(
                Arbitraries.of("real", "blob", "x").flatMap(tag -> plain.map(v -> "{\"" + tag + "\":" + v + "}")),
                Arbitraries.of("{\"real\":\"Infinity\"}", "{\"blob\":\"AP8=\"}", "{\"blob\":\"***\"}",
                        "{\"real\":\"0x1.8p0\"}", "{\"real\":\"1\",\"blob\":\"AA==\"}", "[]", "[1]", "{}"));
        Arbitrary<String> value = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, plain), net.jqwik.api.Tuple.of(1, tagged));
        Arbitrary<String> member = Arbitraries.of("a", "b", "c", "a b", "\\u00e9").flatMap(
                name -> value.map(v -> "\"" + name + "\":" + v));
        Arbitrary<String> object = member.list().ofMaxSize(5).map(ms -> "{" + String.join(",", ms) + "}");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, object),
                net.jqwik.api.Tuple.of(1, object.flatMap(o -> Arbitraries.of(" ", "}", "{}", " x", "]", ",").map(t -> o + t))),
                net.jqwik.api.Tuple.of(1, object.map(o -> o.substring(0, o.length() / 2))),
                net.jqwik.api.Tuple.of(1, value));
    }

    /** The way rows were read before they were read token by token: the whole text as a tree. */
    private static Map<String, Object> decodeRowAsTree(String json) {
        tools.jackson.databind.JsonNode tree;
        try {
            tree = JsonMapper.builder().build().readTree(json);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException("row data is not a JSON object");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, tools.jackson.databind.JsonNode> e : object.properties()) {
            row.put(e.getKey(), treeValue(e.getValue()));
        }
        return row;
    }

    private static Object treeValue(tools.jackson.databind.JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                throw new IllegalArgumentException("out of range");
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
            tools.jackson.databind.JsonNode real = tagged.get("real");
            if (real != null && real.isString()) {
                return Double.parseDouble(real.asString()); // NumberFormatException is an IllegalArgumentException
            }
            tools.jackson.databind.JsonNode blob = tagged.get("blob");
            if (blob != null && blob.isString()) {
                return java.util.Base64.getDecoder().decode(blob.asString());
            }
        }
        throw new IllegalArgumentException("not an SQLite value: " + v);
    }

    @Provide
    Arbitrary<List<Object>> values() {
        Arbitrary<Object> integers = Arbitraries.oneOf(Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L)).map(v -> v);
        Arbitrary<Object> reals = Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !Double.isNaN(d)),
                Arbitraries.of(0.1 + 0.2, -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, 1e23, 5.0)).map(v -> v);
        Arbitrary<Object> texts = Arbitraries.strings().all().ofMaxLength(40)
                .filter(SqlValuesTest::wellFormed).map(v -> v);
        Arbitrary<Object> blobs = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(v -> v);
        Arbitrary<Object> nulls = Arbitraries.just(null);
        return Arbitraries.oneOf(integers, reals, texts, blobs, nulls).list().ofMaxSize(6);
    }

    /** SQLite TEXT is UTF-8, so a lone surrogate is not a text value an app can store. */
    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
