package io.p2psync.p2p.noise;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A Noise HandshakeState (spec section 5.3) for the one pattern libp2p uses:
 *
 * <pre>
 * XX:
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 * </pre>
 *
 * Each message carries a payload after its tokens. Messages must be written and read in pattern
 * order; {@link #isComplete()} turns true after the third, and {@link #split()} then gives the
 * transport ciphers. The prologue is empty, as the libp2p spec requires.
 */
final class HandshakeState {

    private final boolean initiator;
    private final NoiseKeyPair staticKeys;
    private final NoiseKeyPair ephemeralKeys;
    private final SymmetricState symmetric = new SymmetricState();
    private byte[] remoteStatic;
    private byte[] remoteEphemeral;
    private int message;

    /** @param ephemeralKeys fixed only in tests; normally {@link NoiseKeyPair#generate()} */
    HandshakeState(boolean initiator, NoiseKeyPair staticKeys, NoiseKeyPair ephemeralKeys) {
        this.initiator = initiator;
        this.staticKeys = staticKeys;
        this.ephemeralKeys = ephemeralKeys;
        symmetric.mixHash(new byte[0]); // the empty prologue
    }

    /** True if it is this side's turn to write. */
    boolean isMyTurn() {
        return !isComplete() && (message % 2 == 0) == initiator;
    }

    boolean isComplete() {
        return message == 3;
    }

    /** The remote static key, known after message 2 (initiator) or 3 (responder). */
    byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    byte[] writeMessage(byte[] payload) {
        if (!isMyTurn()) {
            throw new IllegalStateException("not this side's turn to write");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (message) {
            case 0 -> writeEphemeral(out);
            case 1 -> {
                writeEphemeral(out);
                symmetric.mixKey(ephemeralKeys.dh(remoteEphemeral)); // ee
                out.writeBytes(symmetric.encryptAndHash(staticKeys.publicKey())); // s
                symmetric.mixKey(staticKeys.dh(remoteEphemeral)); // es, responder side
            }
            case 2 -> {
                out.writeBytes(symmetric.encryptAndHash(staticKeys.publicKey())); // s
                symmetric.mixKey(staticKeys.dh(remoteEphemeral)); // se, initiator side
            }
            default -> throw new IllegalStateException("handshake complete");
        }
        out.writeBytes(symmetric.encryptAndHash(payload));
        message++;
        return out.toByteArray();
    }

    /**
     * Processes the peer's next message and returns its payload.
     *
     * @throws NoiseException if the message is too short or fails authentication
     */
    byte[] readMessage(byte[] in) {
        if (isMyTurn() || isComplete()) {
            throw new IllegalStateException("not this side's turn to read");
        }
        int at = 0;
        switch (message) {
            case 0 -> at = readEphemeral(in, at);
            case 1 -> {
                at = readEphemeral(in, at);
                symmetric.mixKey(ephemeralKeys.dh(remoteEphemeral)); // ee
                at = readStatic(in, at);
                symmetric.mixKey(ephemeralKeys.dh(remoteStatic)); // es, initiator side
            }
            case 2 -> {
                at = readStatic(in, at);
                symmetric.mixKey(ephemeralKeys.dh(remoteStatic)); // se, responder side
            }
            default -> throw new IllegalStateException("handshake complete");
        }
        byte[] payload = symmetric.decryptAndHash(Arrays.copyOfRange(in, at, in.length));
        message++;
        return payload;
    }

    /** The transport ciphers as {send, receive} for this side. */
    CipherState[] split() {
        if (!isComplete()) {
            throw new IllegalStateException("handshake not complete");
        }
        CipherState[] pair = symmetric.split();
        return initiator ? pair : new CipherState[] {pair[1], pair[0]};
    }

    byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    private void writeEphemeral(ByteArrayOutputStream out) {
        out.writeBytes(ephemeralKeys.publicKey());
        symmetric.mixHash(ephemeralKeys.publicKey());
    }

    private int readEphemeral(byte[] in, int at) {
        if (in.length - at < NoiseKeyPair.KEY_LENGTH) {
            throw new NoiseException("handshake message too short for an ephemeral key");
        }
        remoteEphemeral = Arrays.copyOfRange(in, at, at + NoiseKeyPair.KEY_LENGTH);
        symmetric.mixHash(remoteEphemeral);
        return at + NoiseKeyPair.KEY_LENGTH;
    }

    private int readStatic(byte[] in, int at) {
        int length = symmetric.encryptedLength(NoiseKeyPair.KEY_LENGTH);
        if (in.length - at < length) {
            throw new NoiseException("handshake message too short for a static key");
        }
        remoteStatic = symmetric.decryptAndHash(Arrays.copyOfRange(in, at, at + length));
        return at + length;
    }
}
