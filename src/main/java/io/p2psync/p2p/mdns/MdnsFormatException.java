package io.p2psync.p2p.mdns;

/**
 * A packet that speaks about the libp2p service but does not follow the spec (no {@code dnsaddr}, an
 * address without a peer id, addresses naming different peers, a TXT string running past its record).
 * The packet is dropped with this message logged.
 */
public final class MdnsFormatException extends RuntimeException {

    public MdnsFormatException(String message) {
        super(message);
    }

    public MdnsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
