package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The gossip payload formats: change log entries and the seed protocol's Put and Delete. */
class PayloadCodecTest {

    private final PayloadCodec codec = new PayloadCodec(JsonMapper.builder().build());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2024-03-01T12:30:45Z               | 2024-03-01T12:30:45Z",
            "2024-03-01T12:30:45.123456789Z     | 2024-03-01T12:30:45.123456789Z",
            "2024-03-01T14:30:45.5+02:00        | 2024-03-01T12:30:45.500Z",
            "2024-03-01T12:30:45+00:00          | 2024-03-01T12:30:45Z"})
    void readsSeedPutWithAnyRfc3339Timestamp(String timestamp, String instant) {
        GossipPayload p = decode("{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"" + timestamp + "\"}}");
        assertThat(p).isEqualTo(new GossipPayload.SeedPut("k", "v", Instant.parse(instant)));
    }

    @Test
    void readsSeedDelete() {
        assertThat(decode("{\"Delete\":{\"key\":\"gone\",\"timestamp\":\"2024-03-01T12:30:45Z\"}}"))
                .isEqualTo(new GossipPayload.SeedDelete("gone", Instant.parse("2024-03-01T12:30:45Z")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"Put\":{\"key\":\"k\",\"timestamp\":\"2024-03-01T12:30:45Z\"}}",
            "{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"yesterday\"}}",
            "{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2024-03-01 12:30:45\"}}",
            "{\"Put\":{\"key\":7,\"value\":\"v\",\"timestamp\":\"2024-03-01T12:30:45Z\"}}",
            "{\"Put\":\"k=v\"}",
            "{\"Delete\":{\"timestamp\":\"2024-03-01T12:30:45Z\"}}",
            "\"Put\"",
            "{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2024-03-01T12:30:45Z\"}",
            ""})
    void refusesMalformedSeedMessages(String json) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(PayloadCodec.MalformedPayloadException.class);
    }

    @Test
    void writesSeedMessagesInTheSeedShape() {
        Instant t = Instant.parse("2024-03-01T12:30:45.123Z");
        assertThat(new String(codec.encodePut("k", "v", t), StandardCharsets.UTF_8))
                .isEqualTo("{\"Put\":{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2024-03-01T12:30:45.123Z\"}}");
        assertThat(new String(codec.encodeDelete("k", t), StandardCharsets.UTF_8))
                .isEqualTo("{\"Delete\":{\"key\":\"k\",\"timestamp\":\"2024-03-01T12:30:45.123Z\"}}");
        assertThat(codec.decode(codec.encodePut("k", "v", t))).isEqualTo(new GossipPayload.SeedPut("k", "v", t));
    }

    @Test
    void anEntryRoundTripsAndStillVerifies() {
        ChangeEntry e = ChangeEntry.seal(new DeviceIdentity(PrivateKey.generate()), 1, 42, 1_700_000_000_000L,
                new RowChange("sync_kv", "k", Operation.INSERT, Kind.EDIT,
                        "{\"key\":\"k\",\"value\":\"v\",\"timestamp\":\"2024-03-01T12:30:45Z\",\"deleted_at\":null}", null),
                VersionVector.EMPTY, null);
        GossipPayload p = codec.decode(codec.encode(e));
        assertThat(p).isEqualTo(new GossipPayload.Entry(e));
        assertThat(((GossipPayload.Entry) p).entry().hashValid()).isTrue();
        assertThat(((GossipPayload.Entry) p).entry().signatureValid()).isTrue();
        assertThat(codec.kvValueBytes(e.data())).isEqualTo(1);
        // TEXT that is not UTF-8 (an app writing Latin-1 into sync_kv passes its CHECK) counts its own bytes
        assertThat(codec.kvValueBytes("{\"key\":\"k\",\"value\":{\"text\":\"Y2Fm6Q==\"},\"timestamp\":\"t\"}"))
                .isEqualTo(4);
    }

    @Test
    void anEntryTravelsAsTheWireEntryWithTheFormatFirst() {
        ChangeEntry e = ChangeEntry.seal(new DeviceIdentity(PrivateKey.fromSeed(new byte[32])), 1, 42, 1000,
                new RowChange("notes", "[\"n1\"]", Operation.INSERT, Kind.EDIT, "{\"id\":\"n1\"}", null),
                VersionVector.EMPTY, null);
        String message = new String(codec.encode(e), StandardCharsets.UTF_8);
        assertThat(message).startsWith("{\"format\":1,\"origin\":\"" + e.origin() + "\",\"version\":1,");
        assertThat(codec.decode(message.replace("{\"format\":1,", "{").getBytes(StandardCharsets.UTF_8)))
                .as("an entry without a format is format 1").isEqualTo(new GossipPayload.Entry(e));
        assertThatThrownBy(() -> decode(message.replace("\"format\":1", "\"format\":2")))
                .isInstanceOf(PayloadCodec.MalformedPayloadException.class)
                .hasMessageContaining("wire format 2 is not supported");
    }

    private GossipPayload decode(String json) {
        return codec.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
