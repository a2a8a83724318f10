package io.p2psync.testing;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Valid JSON documents with one to three values replaced by odd ones (null, wrong types, numbers past a long,
 * empty and blank text, empty containers, a field removed). Random byte damage mostly breaks the syntax; these
 * reach the checks behind the parser.
 */
public final class JsonMutations {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Odd JSON values; {@code REMOVE} deletes the field or element instead. */
    private static final List<String> ODD = List.of("REMOVE", "null", "0", "-1", "1", "2", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "1e400", "1.5", "-0.0", "\"\"", "\" \"", "\"x\"", "true",
            "[]", "{}", "[null]", "{\"\":1}", "{\" \":1}", "{\"a\":-1}", "{\"a\":null}", "{\"a\":1.5}", "\"INSERT\"",
            "\"DELETE\"", "\"UPDATE\"", "\"RESOLUTION\"", "\"[]\"", "\"[\\\"k\\\"]\"", "\"{}\"", "\"not json\"",
            "\"" + "a".repeat(64) + "\"", "\"" + "0".repeat(64) + "\"", "\"AAAA\"", "\"%%%\"", "[[[[[[[[1]]]]]]]]",
            "\"" + notACurvePointPeerId() + "\"");

    private JsonMutations() {
    }

    /** A peer id whose inlined key bytes (y = 2^255 - 1) are not a point of the curve. */
    public static String notACurvePointPeerId() {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) 0xff);
        raw[31] = 0x7f;
        return new io.p2psync.p2p.core.PublicKey(raw).peerId().toString();
    }

    /** One replacement: the {@code at}-th value of the document (modulo their number) becomes {@code ODD[odd]}. */
    public record Replace(int at, int odd) {
        @Override
        public String toString() {
            return "Replace[value " + at + " with " + ODD.get(odd % ODD.size()) + "]";
        }
    }

    /** A document with its replacements; prints the damaged text. */
    public record Damaged(String seed, List<Replace> replacements) {
        public String text() {
            JsonNode root = JSON.readTree(seed);
            for (Replace r : replacements) {
                List<Slot> slots = new ArrayList<>();
                collect(root, slots);
                if (slots.isEmpty()) {
                    break;
                }
                slots.get(r.at() % slots.size()).replace(ODD.get(r.odd() % ODD.size()));
            }
            return JSON.writeValueAsString(root);
        }

        @Override
        public String toString() {
            return "Damaged[" + text() + " made by " + replacements + "]";
        }
    }

    /** One of {@code seeds} (JSON texts) with one to three values replaced. */
    public static Arbitrary<Damaged> of(List<String> seeds) {
        Arbitrary<Replace> replace = Combinators.combine(Arbitraries.integers().between(0, 1 << 12),
                Arbitraries.integers().between(0, ODD.size() - 1)).as(Replace::new);
        return Combinators.combine(Arbitraries.of(seeds), replace.list().ofMinSize(1).ofMaxSize(3)).as(Damaged::new);
    }

    /** A place holding a value: a field of an object or an element of an array. */
    private record Slot(JsonNode parent, String field, int index) {
        void replace(String odd) {
            if (parent instanceof ObjectNode o) {
                if (odd.equals("REMOVE")) {
                    o.remove(field);
                } else {
                    o.set(field, JSON.readTree(odd));
                }
            } else if (parent instanceof ArrayNode a) {
                if (odd.equals("REMOVE")) {
                    a.remove(index);
                } else {
                    a.set(index, JSON.readTree(odd));
                }
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node instanceof ObjectNode o) {
            for (String name : o.propertyNames()) {
                out.add(new Slot(o, name, -1));
                collect(o.get(name), out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                out.add(new Slot(a, null, i));
                collect(a.get(i), out);
            }
        }
    }
}
