package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestSignatureTest {

    private final PrivateKey key = PrivateKey.fromSeed(new byte[32]);
    private final PeerId server = PrivateKey.fromSeed(HexFormat.of().parseHex("01".repeat(32))).peerId();
    private final Instant at = Instant.ofEpochMilli(1_795_000_000_000L);

    @Test
    void roundTripsThroughItsHeaders() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = RequestSignature.sign(key, "post", "/sync/pull", server, at, body);
        RequestSignature sig = parse(h);
        assertThat(sig.deviceId()).isEqualTo(key.peerId());
        assertThat(sig.timestamp()).isEqualTo(at);
        assertThat(sig.verifies("POST", "/sync/pull", server, body)).isTrue();
        assertThat(sig.verifies("POST", "/sync/pull", server, "{ }".getBytes())).isFalse();
        assertThat(sig.verifies("PUT", "/sync/pull", server, body)).isFalse();
    }

    @Test
    void signsTheDocumentedBytes() {
        String expected = String.join("\n", "p2p-sync-request-v1", "POST", "/sync/pull", key.peerId().toString(),
                server.toString(), "1795000000000", "AAAAAAAAAAAAAAAAAAAAAAAA",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        byte[] bytes = RequestSignature.signedBytes("POST", "/sync/pull", key.peerId(), server, 1_795_000_000_000L,
                "AAAAAAAAAAAAAAAAAAAAAAAA", new byte[0]);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @Test
    void rejectsShortNoncesAndNonNumericTimestamps() {
        Map<String, String> h = RequestSignature.sign(key, "POST", "/x", server, at, new byte[0]);
        assertThatThrownBy(() -> RequestSignature.fromHeaders(h.get(RequestSignature.DEVICE_HEADER),
                h.get(RequestSignature.TIMESTAMP_HEADER), "short", h.get(RequestSignature.SIGNATURE_HEADER)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestSignature.fromHeaders(h.get(RequestSignature.DEVICE_HEADER), "-5",
                h.get(RequestSignature.NONCE_HEADER), h.get(RequestSignature.SIGNATURE_HEADER)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RequestSignature parse(Map<String, String> h) {
        return RequestSignature.fromHeaders(h.get(RequestSignature.DEVICE_HEADER),
                h.get(RequestSignature.TIMESTAMP_HEADER), h.get(RequestSignature.NONCE_HEADER),
                h.get(RequestSignature.SIGNATURE_HEADER));
    }
}
