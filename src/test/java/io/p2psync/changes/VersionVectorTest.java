package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.changes.VersionVector.Order;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class VersionVectorTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The canonical text (entry hashes cover it) is Jackson's, whether written directly or through it. */
    @net.jqwik.api.Property(tries = 500)
    void theCanonicalTextIsJacksons(@net.jqwik.api.ForAll("originMaps") java.util.Map<String, Long> versions) {
        VersionVector v = VersionVector.of(versions);
        java.util.Map<String, Long> sorted = new java.util.TreeMap<>(versions);
        sorted.values().removeIf(x -> x == 0);
        assertThat(v.toJson()).isEqualTo(tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(sorted));
        assertThat(VersionVector.parse(v.toJson())).isEqualTo(v);
    }

    /** Any text parses to what Jackson makes of it, or is refused as Jackson refuses it. */
    @net.jqwik.api.Property(tries = 2000)
    void anyTextParsesAsJacksonReadsIt(@net.jqwik.api.ForAll("vectorTexts") String text) {
        if (text.isBlank()) {
            assertThat(VersionVector.parse(text)).isEqualTo(VersionVector.EMPTY);
            return;
        }
        VersionVector expected;
        try {
            java.util.Map<String, Long> map = tools.jackson.databind.json.JsonMapper.builder().build().readValue(text,
                    new tools.jackson.core.type.TypeReference<java.util.TreeMap<String, Long>>() { });
            expected = VersionVector.of(map);
        } catch (RuntimeException refused) {
            assertThatThrownBy(() -> VersionVector.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        assertThat(VersionVector.parse(text)).as(text).isEqualTo(expected);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> vectorTexts() {
        net.jqwik.api.Arbitrary<String> origin = net.jqwik.api.Arbitraries.strings().withChars("aB9\"-").ofMaxLength(3);
        net.jqwik.api.Arbitrary<String> number = net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.longs().map(String::valueOf),
                net.jqwik.api.Arbitraries.strings().withChars("0123456789-").ofMinLength(1).ofMaxLength(21));
        net.jqwik.api.Arbitrary<String> pair = net.jqwik.api.Combinators.combine(origin, number).as((o, v) -> "\"" + o + "\":" + v);
        return net.jqwik.api.Arbitraries.oneOf(
                pair.list().ofMaxSize(3).map(ps -> "{" + String.join(",", ps) + "}"),
                pair.list().ofMaxSize(3).map(ps -> "{" + String.join(", ", ps) + ",}"),
                net.jqwik.api.Arbitraries.strings().withChars("{}\":,a1").ofMaxLength(10));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<java.util.Map<String, Long>> originMaps() {
        net.jqwik.api.Arbitrary<String> origins = net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(52),
                net.jqwik.api.Arbitraries.strings().withChars("a\"\\\u00e9\u0001 /Z9").ofMinLength(1).ofMaxLength(6)
                        .filter(o -> !o.isBlank()));
        return net.jqwik.api.Arbitraries.maps(origins, net.jqwik.api.Arbitraries.longs().between(0, Long.MAX_VALUE)).ofMaxSize(4);
    }

    @Test
    void answersEachOrder() {
        VersionVector a1 = VersionVector.of(Map.of("A", 1L));
        VersionVector a2 = VersionVector.of(Map.of("A", 2L));
        VersionVector a1b1 = VersionVector.of(Map.of("A", 1L, "B", 1L));
        assertThat(a1.compare(VersionVector.of(Map.of("A", 1L)))).isEqualTo(Order.EQUAL);
        assertThat(a1.compare(a2)).isEqualTo(Order.BEFORE);
        assertThat(a2.compare(a1)).isEqualTo(Order.AFTER);
        assertThat(a2.compare(a1b1)).isEqualTo(Order.CONCURRENT);
        assertThat(VersionVector.EMPTY.compare(a1)).isEqualTo(Order.BEFORE);
    }

    @Test
    void treatsZeroAsAbsent() {
        assertThat(VersionVector.of(Map.of("A", 0L))).isEqualTo(VersionVector.EMPTY);
        assertThat(VersionVector.of(Map.of("A", 0L, "B", 2L)).compare(VersionVector.of(Map.of("B", 2L))))
                .isEqualTo(Order.EQUAL);
    }

    @Test
    void writesCanonicalJsonWithSortedKeys() {
        VersionVector v = VersionVector.of(Map.of("zeta", 3L, "alpha", 1L, "Mid", 2L));
        assertThat(v.toJson()).isEqualTo("{\"Mid\":2,\"alpha\":1,\"zeta\":3}");
        assertThat(VersionVector.EMPTY.toJson()).isEqualTo("{}");
        assertThat(VersionVector.parse(v.toJson())).isEqualTo(v);
    }

    @Test
    void showsAsAPlainObjectInTheAdminApi() {
        VersionVector v = VersionVector.of(Map.of("B", 7L, "A", 1L));
        assertThat(JSON.writeValueAsString(v)).isEqualTo("{\"A\":1,\"B\":7}");
    }

    @Test
    void rejectsNegativeVersionsAndGarbage() {
        assertThatThrownBy(() -> VersionVector.of(Map.of("A", -1L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.parse("[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.parse("{\"A\":\"x\"}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withNeverLowersAVersion() {
        VersionVector v = VersionVector.of(Map.of("A", 5L));
        assertThat(v.with("A", 3)).isSameAs(v);
        assertThat(v.with("A", 6).get("A")).isEqualTo(6);
    }

    @Property
    void mergeIsAtOrAfterBoth(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        VersionVector m = a.merge(b);
        assertThat(m.dominates(a)).isTrue();
        assertThat(m.dominates(b)).isTrue();
        assertThat(m).isEqualTo(b.merge(a));
        assertThat(m.merge(a)).isEqualTo(m);
    }

    @Property
    void compareIsAntisymmetric(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        Order ab = a.compare(b);
        Order ba = b.compare(a);
        switch (ab) {
            case EQUAL -> assertThat(ba).isEqualTo(Order.EQUAL);
            case BEFORE -> assertThat(ba).isEqualTo(Order.AFTER);
            case AFTER -> assertThat(ba).isEqualTo(Order.BEFORE);
            case CONCURRENT -> assertThat(ba).isEqualTo(Order.CONCURRENT);
        }
        assertThat(ab == Order.EQUAL).isEqualTo(a.equals(b));
    }

    @Property
    void addingADotMovesAfter(@ForAll("vectors") VersionVector a, @ForAll("origins") String origin) {
        VersionVector next = a.with(origin, a.get(origin) + 1);
        assertThat(next.compare(a)).isEqualTo(Order.AFTER);
    }

    @Property
    void jsonRoundTrips(@ForAll("vectors") VersionVector a) {
        assertThat(VersionVector.parse(a.toJson())).isEqualTo(a);
    }

    /**
     * toJson writes plain origins by hand and parse reads the usual form token by token: both must give exactly
     * what Jackson gives, for any origin text and version.
     */
    @Property(tries = 500)
    void jsonIsExactlyWhatJacksonWritesAndReads(@ForAll("anyOrigins") java.util.List<String> origins,
            @ForAll("anyVersions") java.util.List<Long> versions) {
        java.util.TreeMap<String, Long> map = new java.util.TreeMap<>();
        for (int i = 0; i < origins.size(); i++) {
            map.put(origins.get(i), versions.get(i % Math.max(1, versions.size())));
        }
        map.values().removeIf(v -> v == 0);
        VersionVector v = VersionVector.of(map);
        tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        String jackson = json.writeValueAsString(map);
        assertThat(v.toJson()).isEqualTo(jackson);
        assertThat(VersionVector.parse(jackson)).isEqualTo(v);
        assertThat(VersionVector.parse(jackson).toJson()).isEqualTo(jackson);
    }

    @Test
    void vectorsNotInTheUsualFormAreReadAsBefore() {
        assertThat(VersionVector.parse(" { \"B\" : 2 , \"A\":1 } ").toJson()).isEqualTo("{\"A\":1,\"B\":2}");
        assertThat(VersionVector.parse("{\"A\":1,\"A\":3}")).isEqualTo(VersionVector.of(Map.of("A", 3L)));
        assertThat(VersionVector.parse("{\"A\":0}")).isEqualTo(VersionVector.EMPTY);
        assertThatThrownBy(() -> VersionVector.parse("{\"A\":-1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.parse("{\"A\":99999999999999999999}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.parse("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VersionVector.parse("{\"A\":1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<java.util.List<String>> anyOrigins() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMinLength(1).ofMaxLength(10),
                Arbitraries.strings().alpha().numeric().ofLength(52), Arbitraries.of("a\"b", "a\\b", "é", "\u0001"))
                .filter(o -> !o.isBlank()).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<java.util.List<Long>> anyVersions() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(1L, Long.MAX_VALUE))
                .list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<String> origins() {
        return Arbitraries.of("A", "B", "C", "D");
    }

    @Provide
    Arbitrary<VersionVector> vectors() {
        return Arbitraries.maps(origins(), Arbitraries.longs().between(0, 5)).ofMaxSize(4).map(VersionVector::of);
    }
}
