package io.p2psync.p2p.tls;

import java.security.cert.CertificateException;

/**
 * A peer's certificate that does not prove a libp2p identity; the handshake must be aborted. The
 * {@link #reason()} says why without parsing the message, which is meant for the log.
 */
public final class Libp2pCertificateException extends CertificateException {

    /** Why a certificate was refused, one constant per check of tls.md, "Peer Authentication". */
    public enum Reason {
        /** Not exactly one certificate in the chain. */
        CHAIN_LENGTH,
        /** NotBefore is after now. */
        NOT_YET_VALID,
        /** NotAfter is before now. */
        EXPIRED,
        /** The certificate's signature does not verify with its own key, or the key cannot be used. */
        BAD_SELF_SIGNATURE,
        /** The deprecated subjectUniqueID or issuerUniqueID is present. */
        UNIQUE_ID_PRESENT,
        /** A critical extension other than the libp2p one. */
        UNKNOWN_CRITICAL_EXTENSION,
        /** The libp2p Public Key Extension is absent. */
        NO_LIBP2P_EXTENSION,
        /** The extension's SignedKey or the host key protobuf inside it does not decode. */
        MALFORMED_LIBP2P_EXTENSION,
        /** The host key is of a type this project does not accept (only Ed25519 is). */
        UNSUPPORTED_HOST_KEY_TYPE,
        /** The host key's signature over the certificate key does not verify. */
        BAD_LIBP2P_SIGNATURE,
        /** The certificate proves a peer other than the one dialled. */
        UNEXPECTED_PEER
    }

    private final Reason reason;

    public Libp2pCertificateException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Libp2pCertificateException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
