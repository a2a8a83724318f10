package io.p2psync.p2p.tls;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.tls.Libp2pCertificateException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;

/**
 * The value of the libp2p Public Key Extension (tls.md, "libp2p Public Key Extension"):
 * {@code SignedKey ::= SEQUENCE { publicKey OCTET STRING, signature OCTET STRING }}.
 *
 * @param publicKey the host key in the libp2p protobuf encoding, as received (not yet decoded)
 * @param signature the host key's signature over {@code "libp2p-tls-handshake:" || DER(SubjectPublicKeyInfo)}
 *     of the certificate that carries the extension
 */
record SignedKey(byte[] publicKey, byte[] signature) {

    /** 1.3.6.1.4.1.53594.1.1, allocated by IANA to libp2p. */
    static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier("1.3.6.1.4.1.53594.1.1");

    private static final byte[] SIGNATURE_PREFIX = "libp2p-tls-handshake:".getBytes(StandardCharsets.US_ASCII);

    SignedKey {
        publicKey = publicKey.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Signs {@code certificateKeyInfo}, the DER SubjectPublicKeyInfo of the certificate key, with the host key. */
    static SignedKey sign(PrivateKey identity, byte[] certificateKeyInfo) {
        return new SignedKey(identity.publicKey().toProtobuf(), identity.sign(signedBytes(certificateKeyInfo)));
    }

    /** True if {@code hostKey}, the decoded {@link #publicKey}, signed {@code certificateKeyInfo}. */
    boolean verifies(PublicKey hostKey, byte[] certificateKeyInfo) {
        return hostKey.verify(signedBytes(certificateKeyInfo), signature);
    }

    byte[] toDer() {
        try {
            return new DERSequence(new ASN1Encodable[] {new DEROctetString(publicKey), new DEROctetString(signature)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding to memory failed", e);
        }
    }

    /**
     * Reads the extension value (the contents of the extension's extnValue OCTET STRING).
     *
     * @throws Libp2pCertificateException with {@link Reason#MALFORMED_LIBP2P_EXTENSION} for anything but a
     *     sequence of exactly two octet strings with nothing after it
     */
    static SignedKey fromDer(byte[] der) throws Libp2pCertificateException {
        try {
            // fromByteArray refuses bytes left over after the first object
            ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            if (sequence.size() != 2) {
                throw new IllegalArgumentException("SignedKey has " + sequence.size() + " elements, not 2");
            }
            return new SignedKey(ASN1OctetString.getInstance(sequence.getObjectAt(0)).getOctets(),
                    ASN1OctetString.getInstance(sequence.getObjectAt(1)).getOctets());
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new Libp2pCertificateException(Reason.MALFORMED_LIBP2P_EXTENSION,
                    "malformed libp2p public key extension: " + e.getMessage(), e);
        }
    }

    private static byte[] signedBytes(byte[] certificateKeyInfo) {
        byte[] out = new byte[SIGNATURE_PREFIX.length + certificateKeyInfo.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, out, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(certificateKeyInfo, 0, out, SIGNATURE_PREFIX.length, certificateKeyInfo.length);
        return out;
    }
}
