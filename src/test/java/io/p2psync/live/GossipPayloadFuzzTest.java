package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.testing.JsonMutations;
import io.p2psync.testing.JsonMutations.Damaged;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import io.p2psync.wire.PushRequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gossip payloads ({@link PayloadCodec#decode}) from arbitrary and damaged bytes: entries as this build
 * publishes them, and the seed protocol's Put and Delete. Decoding either refuses with a
 * {@link PayloadCodec.MalformedPayloadException} or gives a payload whose entry answers its hash and
 * signature checks and the sync_kv lookups without throwing, and which round-trips through the encoder.
 */
class GossipPayloadFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final PayloadCodec codec = new PayloadCodec(JSON);

    @Property(tries = 500)
    void anyBytesAreDecodedOrRefused(@ForAll("anyBytes") byte[] bytes) {
        decode(bytes);
    }

    @Property(tries = 500)
    void damagedPayloadBytesAreDecodedOrRefused(@ForAll("damagedBytes") Mutant mutant) {
        decode(mutant.bytes());
    }

    @Property(tries = 1000)
    void payloadsWithOddValuesAreDecodedOrRefused(@ForAll("damagedValues") Damaged damaged) {
        decode(damaged.text().getBytes(StandardCharsets.UTF_8));
    }

    private void decode(byte[] bytes) {
        GossipPayload payload;
        try {
            payload = codec.decode(bytes);
        } catch (PayloadCodec.MalformedPayloadException refused) {
            return;
        }
        if (payload instanceof GossipPayload.Entry entry) {
            ChangeEntry e = entry.entry();
            e.hashValid();
            e.signatureValid();
            if (GossipIntake.KV_TABLE.equals(e.table())) {
                try {
                    codec.kvValueBytes(e.data());
                    codec.kvKey(e.recordId());
                } catch (PayloadCodec.MalformedPayloadException refused) {
                    // dropped as malformed by the intake
                }
            }
            assertThat(codec.decode(codec.encode(e))).isEqualTo(payload);
        } else if (payload instanceof GossipPayload.SeedPut put) {
            assertThat(codec.decode(codec.encodePut(put.key(), put.value(), put.timestamp()))).isEqualTo(payload);
        } else {
            GossipPayload.SeedDelete delete = (GossipPayload.SeedDelete) payload;
            assertThat(codec.decode(codec.encodeDelete(delete.key(), delete.timestamp()))).isEqualTo(payload);
        }
    }

    private static List<byte[]> seeds() {
        PayloadCodec codec = new PayloadCodec(JSON);
        List<byte[]> out = new ArrayList<>();
        for (String name : List.of("push-request.json", "push-request-group.json")) {
            for (ChangeEntry e : JSON.readValue(pinned(name), PushRequestBody.class).domainEntries()) {
                out.add(codec.encode(e));
            }
        }
        DeviceIdentity alice = new DeviceIdentity(PrivateKey.fromSeed(new byte[32]));
        out.add(codec.encode(ChangeEntry.seal(alice, 1, 1L << 16, 1000, new RowChange(GossipIntake.KV_TABLE,
                "[\"greeting\"]", Operation.INSERT, Kind.EDIT,
                "{\"key\":\"greeting\",\"value\":\"hello\",\"timestamp\":\"2024-03-01T12:30:45Z\",\"deleted_at\":null}",
                null), VersionVector.EMPTY, null)));
        out.add(codec.encodePut("greeting", "hello", Instant.parse("2024-03-01T12:30:45.123Z")));
        out.add(codec.encodeDelete("greeting", Instant.parse("2024-03-01T12:30:45Z")));
        out.add("{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2024-03-01T14:30:45.5+02:00\"}}"
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static String pinned(String name) {
        try (InputStream in = GossipPayloadFuzzTest.class.getResourceAsStream("/wire/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.oneOf(Mutations.bytes(60),
                Arbitraries.strings().withChars("{}[]\":,0123456789.-eE truefalsn\\u").ofMaxLength(60)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<Mutant> damagedBytes() {
        return Mutations.of(seeds());
    }

    @Provide
    Arbitrary<Damaged> damagedValues() {
        return JsonMutations.of(seeds().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }
}
