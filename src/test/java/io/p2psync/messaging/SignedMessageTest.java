package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignedMessageTest {

    private final DeviceIdentity alice = new DeviceIdentity(PrivateKey.generate());
    private final DeviceIdentity bob = new DeviceIdentity(PrivateKey.generate());

    @Test
    void signsTheDocumentedLinesAndVerifiesFromTheIdAlone() {
        SignedMessage m = SignedMessage.sign(alice, "m-1", bob.deviceId(), 1_700_000_000_000L, "buy milk");
        String expected = "p2p-sync/msg/1\nm-1\n" + alice.deviceId() + "\n" + bob.deviceId() + "\n1700000000000\n"
                + SignedMessage.sha256Hex("buy milk".getBytes(StandardCharsets.UTF_8)) + "\n";
        assertThat(new String(m.signedBytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(alice.publicKey().verify(expected.getBytes(StandardCharsets.UTF_8), m.signature())).isTrue();
        assertThat(m.verifies()).isTrue();
    }

    @Test
    void anyChangeBreaksTheSignature() {
        SignedMessage m = SignedMessage.sign(alice, "m-1", bob.deviceId(), 5, "buy milk");
        assertThat(new SignedMessage("m-2", m.from(), m.to(), 5, "buy milk", m.signature()).verifies()).isFalse();
        assertThat(new SignedMessage("m-1", m.from(), m.to(), 6, "buy milk", m.signature()).verifies()).isFalse();
        assertThat(new SignedMessage("m-1", m.from(), m.to(), 5, "buy eggs", m.signature()).verifies()).isFalse();
        assertThat(new SignedMessage("m-1", m.from(), alice.deviceId(), 5, "buy milk", m.signature()).verifies()).isFalse();
        assertThat(new SignedMessage("m-1", bob.deviceId(), m.to(), 5, "buy milk", m.signature()).verifies())
                .as("claimed by another origin").isFalse();
        assertThat(new SignedMessage("m-1", m.from(), m.to(), 5, "buy milk", new byte[0]).verifies()).isFalse();
    }

    @Test
    void theTargetsAckIsCheckedAgainstTheMessage() {
        SignedMessage m = SignedMessage.sign(alice, "m-1", bob.deviceId(), 5, "hi");
        Ack ack = Ack.sign(bob, m, 9);
        assertThat(ack.acknowledges(m)).isTrue();
        assertThat(Ack.sign(alice, m, 9).acknowledges(m)).as("signed by the origin, not the target").isFalse();
        assertThat(new Ack("m-1", ack.from(), ack.to(), 10, ack.signature()).acknowledges(m)).isFalse();
        assertThat(ack.acknowledges(SignedMessage.sign(alice, "m-2", bob.deviceId(), 5, "hi"))).isFalse();
    }

    @Test
    void refusesIdsOutsideTheAllowedCharacters() {
        assertThatThrownBy(() -> SignedMessage.sign(alice, "a b", bob.deviceId(), 1, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedMessage.sign(alice, "x".repeat(65), bob.deviceId(), 1, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SignedMessage.sign(alice, "A-z_0", bob.deviceId(), 1, "x").verifies()).isTrue();
    }
}
