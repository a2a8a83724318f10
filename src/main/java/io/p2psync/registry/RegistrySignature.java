package io.p2psync.registry;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * How a device signs what it sends the registry: an Ed25519 signature, by its device key, over a purpose tag,
 * the network id and the body exactly as sent, carried base64 in the {@link #HEADER} header. The purpose tag keeps
 * an announcement from passing as a heartbeat; the network id keeps a body signed for one network from being
 * replayed to another. The device id is the libp2p peer id of the key, which carries the key itself, so the
 * registry verifies a signature from the id alone, with nothing stored beforehand.
 */
public final class RegistrySignature {

    /** The request header carrying the signature (base64, standard alphabet). */
    public static final String HEADER = "X-Registry-Signature";

    /** What a signature is for; part of the signed bytes. */
    public enum Purpose {
        ANNOUNCE("p2p-sync registry announce v1"),
        HEARTBEAT("p2p-sync registry heartbeat v1");

        private final String tag;

        Purpose(String tag) {
            this.tag = tag;
        }
    }

    private RegistrySignature() {
    }

    /** The bytes a signature covers: tag, newline, network id, newline, body. */
    static byte[] signed(Purpose purpose, String networkId, byte[] body) {
        byte[] head = (purpose.tag + "\n" + networkId + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The header value signing {@code body} for {@code networkId} with this device's key. */
    public static String sign(DeviceIdentity identity, Purpose purpose, String networkId, byte[] body) {
        return Base64.getEncoder().encodeToString(identity.sign(signed(purpose, networkId, body)));
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} for {@code networkId} by the key of {@code device}.
     * False for a missing or malformed header, an id that does not carry its key (a hashed id), or a wrong signature.
     */
    public static boolean verify(PeerId device, Purpose purpose, String networkId, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return false;
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(header.strip());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        Optional<PublicKey> key = device.publicKey();
        return key.isPresent() && key.get().verify(signed(purpose, networkId, body), signature);
    }
}
