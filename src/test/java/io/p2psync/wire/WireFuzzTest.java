package io.p2psync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.VersionVector;
import io.p2psync.testing.JsonMutations;
import io.p2psync.testing.JsonMutations.Damaged;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync wire format read from arbitrary and damaged JSON: the pinned REST bodies of
 * {@code src/test/resources/wire} with bytes damaged, and with values replaced by odd ones. Reading a body and
 * converting it to domain records either refuses with a {@link JacksonException} (not JSON, wrong types) or an
 * {@link IllegalArgumentException} (a wrong format version, a malformed entry or vector), or gives entries
 * whose hash and signature checks answer without throwing and that survive a round trip through the writer.
 */
class WireFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> PINNED = List.of("push-request.json", "push-request-group.json",
            "pull-request.json", "pull-response.json");

    @Property(tries = 500)
    void anyBytesAreReadOrRefused(@ForAll("anyBytes") byte[] bytes) {
        readEveryBody(bytes);
    }

    @Property(tries = 500)
    void damagedBodyBytesAreReadOrRefused(@ForAll("damagedBytes") Mutant mutant) {
        readEveryBody(mutant.bytes());
    }

    @Property(tries = 1000)
    void bodiesWithOddValuesAreReadOrRefused(@ForAll("damagedValues") Damaged damaged) {
        readEveryBody(damaged.text().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownFormatIsRefusedWithItsNumber() {
        assertThatThrownBy(() -> JSON.readValue("{\"format\":2,\"entries\":[]}", PushRequestBody.class))
                .hasRootCauseInstanceOf(WireFormat.UnsupportedFormatException.class);
    }

    /**
     * An entry's origin is a peer id in text; one of a megabyte (inside the gossip and REST size limits) used
     * to keep the signature check decoding base58 for minutes. See CoreFuzzTest for the peer id limit.
     */
    @Test
    void anEntryWhoseOriginIsAMegabyteFailsItsSignatureCheckAtOnce() {
        String pinned = pinned("push-request.json");
        String origin = JSON.readValue(pinned, PushRequestBody.class).domainEntries().get(0).origin();
        String huge = pinned.replace("\"origin\":\"" + origin + "\"", "\"origin\":\"" + "z".repeat(1 << 20) + "\"");
        List<ChangeEntry> entries = JSON.readValue(huge, PushRequestBody.class).domainEntries();

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThat(entries.get(0).signatureValid()).isFalse());
    }

    /** Reads {@code bytes} as each body type the REST protocol carries, as the server and the client do. */
    private static void readEveryBody(byte[] bytes) {
        read(bytes, PushRequestBody.class, body -> checkEntries(body.domainEntries()));
        read(bytes, PullResponseBody.class, body -> {
            checkEntries(body.domainEntries());
            checkVector(body.server());
            return null;
        });
        read(bytes, PullRequestBody.class, body -> checkVector(body.known()));
    }

    private static <T> void read(byte[] bytes, Class<T> type, Function<T, ?> toDomain) {
        T body;
        try {
            body = JSON.readValue(bytes, type);
        } catch (JacksonException refused) {
            return;
        }
        if (body == null) {
            return; // the JSON text null: the controllers refuse a missing body before this
        }
        try {
            toDomain.apply(body);
        } catch (IllegalArgumentException refused) {
            // a malformed entry or vector, refused with its reason
        }
    }

    private static Void checkEntries(List<ChangeEntry> entries) {
        for (ChangeEntry e : entries) {
            e.hashValid();
            e.signatureValid();
        }
        List<ChangeEntry> again = JSON.readValue(JSON.writeValueAsBytes(PushRequestBody.of(entries)), PushRequestBody.class)
                .domainEntries();
        assertThat(again).isEqualTo(entries);
        return null;
    }

    private static Void checkVector(VersionVector v) {
        assertThat(JSON.readValue(JSON.writeValueAsBytes(PullRequestBody.of(v, null)), PullRequestBody.class).known())
                .isEqualTo(v);
        return null;
    }

    private static String pinned(String name) {
        try (InputStream in = WireFuzzTest.class.getResourceAsStream("/wire/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(80);
    }

    @Provide
    Arbitrary<Mutant> damagedBytes() {
        return Mutations.of(PINNED.stream().map(n -> pinned(n).getBytes(StandardCharsets.UTF_8)).toList());
    }

    @Provide
    Arbitrary<Damaged> damagedValues() {
        return JsonMutations.of(PINNED.stream().map(WireFuzzTest::pinned).toList());
    }
}
