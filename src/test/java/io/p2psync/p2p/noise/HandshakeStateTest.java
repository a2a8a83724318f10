package io.p2psync.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

class HandshakeStateTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hkdfMatchesRfc5869WithTheChainingKeyAsSaltAndNoInfo() {
        byte[] ck = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        HKDFBytesGenerator reference = new HKDFBytesGenerator(new SHA256Digest());
        reference.init(new HKDFParameters(ikm, ck, new byte[0]));
        byte[] expected = new byte[64];
        reference.generateBytes(expected, 0, 64);

        byte[][] out = SymmetricState.hkdf(ck, ikm);

        assertThat(out[0]).isEqualTo(Arrays.copyOfRange(expected, 0, 32));
        assertThat(out[1]).isEqualTo(Arrays.copyOfRange(expected, 32, 64));
    }

    /** RFC 7748 section 6.1: Alice's and Bob's keys and their shared secret. */
    @Test
    void x25519MatchesRfc7748() {
        NoiseKeyPair alice = NoiseKeyPair.fromPrivateKey(
                HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        NoiseKeyPair bob = NoiseKeyPair.fromPrivateKey(
                HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));

        assertThat(HEX.formatHex(alice.publicKey())).isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HEX.formatHex(alice.dh(bob.publicKey())))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertThat(bob.dh(alice.publicKey())).isEqualTo(alice.dh(bob.publicKey()));
        assertThatThrownBy(() -> alice.dh(new byte[32])).isInstanceOf(NoiseException.class);
    }

    @Test
    void xxHandshakeAgreesOnHashAndTransportKeys() {
        HandshakeState initiator = new HandshakeState(true, NoiseKeyPair.generate(), NoiseKeyPair.generate());
        NoiseKeyPair responderStatic = NoiseKeyPair.generate();
        HandshakeState responder = new HandshakeState(false, responderStatic, NoiseKeyPair.generate());

        byte[] m1 = initiator.writeMessage(new byte[0]);
        assertThat(m1).hasSize(32);
        assertThat(responder.readMessage(m1)).isEmpty();
        byte[] m2 = responder.writeMessage("second".getBytes(StandardCharsets.UTF_8));
        assertThat(m2).hasSize(32 + 48 + 6 + 16);
        assertThat(new String(initiator.readMessage(m2), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(initiator.remoteStatic()).isEqualTo(responderStatic.publicKey());
        byte[] m3 = initiator.writeMessage("third".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(responder.readMessage(m3), StandardCharsets.UTF_8)).isEqualTo("third");

        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isTrue();
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());
        CipherState[] i = initiator.split();
        CipherState[] r = responder.split();
        byte[] c = i[0].encryptWithAd(new byte[0], "ping".getBytes(), 0, 4);
        assertThat(r[1].decryptWithAd(new byte[0], c, 0, c.length)).isEqualTo("ping".getBytes());
        byte[] d = r[0].encryptWithAd(new byte[0], "pong".getBytes(), 0, 4);
        assertThat(i[1].decryptWithAd(new byte[0], d, 0, d.length)).isEqualTo("pong".getBytes());
    }

    @Test
    void rejectsATamperedHandshakeMessage() {
        HandshakeState initiator = new HandshakeState(true, NoiseKeyPair.generate(), NoiseKeyPair.generate());
        HandshakeState responder = new HandshakeState(false, NoiseKeyPair.generate(), NoiseKeyPair.generate());
        responder.readMessage(initiator.writeMessage(new byte[0]));
        byte[] m2 = responder.writeMessage(new byte[0]);
        m2[40] ^= 1; // inside the encrypted static key

        assertThatThrownBy(() -> initiator.readMessage(m2)).isInstanceOf(NoiseException.class);
    }

    @Test
    void rejectsTruncatedMessages() {
        HandshakeState responder = new HandshakeState(false, NoiseKeyPair.generate(), NoiseKeyPair.generate());
        assertThatThrownBy(() -> responder.readMessage(new byte[31])).isInstanceOf(NoiseException.class);
    }
}
