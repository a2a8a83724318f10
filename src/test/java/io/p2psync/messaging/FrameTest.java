package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The wire encoding of docs/messaging.md: a 4-byte big-endian length and the frame's JSON. */
class FrameTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration S = Duration.ofSeconds(1);
    private final MessageProtocol protocol = new MessageProtocol(JSON, new MessagingSettings(DataSize.ofKilobytes(64),
            DataSize.ofKilobytes(256), S, S, S, S, S, 1, S, 1, 1, S), null);
    private final DeviceIdentity alice = new DeviceIdentity(PrivateKey.generate());
    private final DeviceIdentity bob = new DeviceIdentity(PrivateKey.generate());

    @Test
    void encodesALengthAndTheDocumentedFields() throws Exception {
        SignedMessage m = SignedMessage.sign(alice, "m-1", bob.deviceId(), 42, "héllo");
        byte[] bytes = protocol.encode(Frame.chat(m));
        int length = ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        assertThat(length).isEqualTo(bytes.length - 4);
        JsonNode json = JSON.readTree(new String(bytes, 4, length, StandardCharsets.UTF_8));
        assertThat(json.get("v").asInt()).isEqualTo(1);
        assertThat(json.get("type").asString()).isEqualTo("CHAT_MESSAGE");
        assertThat(json.get("message").get("from").asString()).isEqualTo(alice.deviceId().toString());
        assertThat(json.get("message").get("createdAt").asLong()).isEqualTo(42);
        assertThat(json.get("message").get("content").asString()).isEqualTo("héllo");
        assertThat(json.has("ack")).as("absent bodies are left out").isFalse();

        Frame back = protocol.decode(Unpooled.wrappedBuffer(bytes, 4, length));
        assertThat(back.message().toDomain().sameAs(m)).isTrue();
        assertThat(back.message().toDomain().verifies()).isTrue();
    }

    @Test
    void roundTripsEveryType() throws Exception {
        SignedMessage m = SignedMessage.sign(alice, "m-1", bob.deviceId(), 42, "x");
        for (Frame f : List.of(Frame.chat(m), Frame.store(m), Frame.ack(Ack.sign(bob, m, 50)), Frame.query(bob.deviceId()),
                Frame.found(new Frame.PeerFound(bob.deviceId().toString(), List.of("/ip4/127.0.0.1/tcp/4001"), true, true)),
                Frame.state(new Frame.NetworkState(List.of("/ip4/127.0.0.1/tcp/4001"), List.of(bob.deviceId().toString()))),
                Frame.stored("m-1"), Frame.refused(403, "not-authorized", "no"))) {
            byte[] bytes = protocol.encode(f);
            Frame back = protocol.decode(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4));
            assertThat(back.type()).isEqualTo(f.type());
            assertThat(JSON.writeValueAsString(back)).isEqualTo(JSON.writeValueAsString(f));
        }
    }

    @Test
    void peerFoundCarriesTheReachersAnOlderAnswerLeavesOut() throws Exception {
        List<Frame.Reacher> many = java.util.stream.IntStream.range(0, Frame.MAX_REACHERS + 3)
                .mapToObj(i -> new Frame.Reacher(alice.deviceId().toString(), List.of("/ip4/127.0.0.1/tcp/" + (4000 + i))))
                .toList();
        Frame f = Frame.found(new Frame.PeerFound(bob.deviceId().toString(), List.of(), false, true, many));
        byte[] bytes = protocol.encode(f);
        Frame back = protocol.decode(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4));
        assertThat(back.found().reachers()).as("cut at the limit").hasSize(Frame.MAX_REACHERS);
        assertThat(back.found().reachers().get(1).addresses()).containsExactly("/ip4/127.0.0.1/tcp/4001");
        assertThat(back.found().reachers().get(0).device()).isEqualTo(alice.deviceId().toString());

        String old = "{\"v\":1,\"type\":\"PEER_FOUND\",\"found\":{\"target\":\"" + bob.deviceId()
                + "\",\"addresses\":[],\"connected\":false,\"canRelay\":true}}";
        Frame older = protocol.decode(Unpooled.wrappedBuffer(old.getBytes(StandardCharsets.UTF_8)));
        assertThat(older.found().reachers()).as("absent means none").isEmpty();
    }

    @Test
    void carriesFilesToHoldAndTheTargetsSignedReceipt() throws Exception {
        byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
        FileManifest m = FileManifest.sign(alice, "f-1", bob.deviceId(), "a.txt", data.length,
                SignedMessage.sha256Hex(data), 4);
        FileReceipt receipt = FileReceipt.sign(bob, m, 77);
        assertThat(receipt.acknowledges(m)).isTrue();
        FileManifest other = FileManifest.sign(alice, "f-1", bob.deviceId(), "a.txt", data.length,
                SignedMessage.sha256Hex("other bytes".getBytes(StandardCharsets.UTF_8)), 4);
        assertThat(receipt.acknowledges(other)).as("a receipt names the file's SHA-256").isFalse();
        assertThat(FileReceipt.sign(alice, m, 77).acknowledges(m)).as("signed by the target only").isFalse();

        Frame.WireChunk chunk = new Frame.WireChunk(Frame.WireManifest.of(m), 0,
                java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(data, 4)), "00");
        for (Frame f : List.of(Frame.storeChunk(chunk), Frame.receipt(receipt),
                Frame.chunkAck(new Frame.ChunkAck("f-1", data.length, true, Frame.WireReceipt.of(receipt))),
                Frame.chunkAck(new Frame.ChunkAck("f-1", 4, false)))) {
            byte[] bytes = protocol.encode(f);
            Frame back = protocol.decode(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4));
            assertThat(JSON.writeValueAsString(back)).isEqualTo(JSON.writeValueAsString(f));
        }
        byte[] bytes = protocol.encode(Frame.receipt(receipt));
        JsonNode json = JSON.readTree(new String(bytes, 4, bytes.length - 4, StandardCharsets.UTF_8));
        assertThat(json.get("type").asString()).isEqualTo("FILE_RECEIPT");
        assertThat(json.get("receipt").get("from").asString()).isEqualTo(bob.deviceId().toString());
        assertThat(json.get("receipt").get("sha256").asString()).isEqualTo(m.sha256());
        Frame back = protocol.decode(Unpooled.wrappedBuffer(bytes, 4, bytes.length - 4));
        assertThat(back.receipt().toDomain().acknowledges(m)).isTrue();
        String partial = "{\"v\":1,\"type\":\"CHUNK_ACK\",\"next\":{\"id\":\"f-1\",\"next\":4,\"complete\":false}}";
        assertThat(protocol.decode(Unpooled.wrappedBuffer(partial.getBytes(StandardCharsets.UTF_8))).next().receipt())
                .as("no receipt before the file is whole").isNull();
    }

    @Test
    void refusesUnknownTypesVersionsAndMissingBodies() {
        for (String json : List.of("{\"v\":1,\"type\":\"FLY\"}", "{\"v\":2,\"type\":\"PEER_QUERY\",\"target\":\"x\"}",
                "{\"v\":1,\"type\":\"CHAT_MESSAGE\"}", "{\"v\":1,\"type\":\"FILE_RECEIPT\"}", "{\"v\":1}", "[]", "nope")) {
            assertThatThrownBy(() -> protocol.decode(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8))))
                    .as(json).isInstanceOf(IOException.class);
        }
    }
}
