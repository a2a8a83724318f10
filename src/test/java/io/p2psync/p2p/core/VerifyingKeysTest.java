package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A key decoded once answers every check as a key decoded each time does, bad ids and signatures included. */
class VerifyingKeysTest {

    private final PrivateKey alice = PrivateKey.generate();
    private final PrivateKey bob = PrivateKey.generate();
    private final byte[] message = "a group's hash".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesAgainstItsSignersIdOnlyAndEveryTime() {
        byte[] signature = alice.sign(message);
        String aliceId = alice.publicKey().peerId().toString();
        String bobId = bob.publicKey().peerId().toString();

        for (int i = 0; i < 3; i++) { // the first check decodes the key, the later ones find it kept
            assertThat(VerifyingKeys.verify(aliceId, message, signature)).isTrue();
            assertThat(VerifyingKeys.verify(bobId, message, signature)).isFalse();
        }
        byte[] damaged = signature.clone();
        damaged[10] ^= 1;
        assertThat(VerifyingKeys.verify(aliceId, message, damaged)).isFalse();
        assertThat(VerifyingKeys.verify(aliceId, "another hash".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(VerifyingKeys.verify(aliceId, message, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(VerifyingKeys.verify(aliceId, message, null)).isFalse();
    }

    @Test
    void anIdThatIsMalformedOrHoldsNoCurvePointVerifiesNothing() {
        byte[] signature = alice.sign(message);
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);
        notAPoint[31] = 0x7f; // y = 2^255 - 1: not a point of the curve
        String pointless = new PublicKey(notAPoint).peerId().toString();

        for (int i = 0; i < 2; i++) {
            assertThat(VerifyingKeys.verify("not-a-peer-id", message, signature)).isFalse();
            assertThat(VerifyingKeys.verify(pointless, message, signature)).isFalse();
        }
    }
}
