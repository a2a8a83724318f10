package io.p2psync.p2p.tls;

import io.p2psync.p2p.core.PrivateKey;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;

/** Certificates a hostile peer could present, for tests of the transports that check them. */
public final class BadCertificates {

    private BadCertificates() {
    }

    /** A self-signed certificate with no libp2p public key extension. */
    public static Libp2pCertificate withoutExtension() {
        return Libp2pCertificate.selfSign(newP256(), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
    }

    /**
     * A certificate whose extension names {@code claimed}'s key, but whose signature over the certificate key
     * was made by another key: someone claiming a peer id they do not hold.
     */
    public static Libp2pCertificate claiming(PrivateKey claimed) {
        KeyPair certificateKey = newP256();
        byte[] forgedSignature = SignedKey.sign(PrivateKey.generate(), certificateKey.getPublic().getEncoded()).signature();
        SignedKey forged = new SignedKey(claimed.publicKey().toProtobuf(), forgedSignature);
        return Libp2pCertificate.selfSign(certificateKey, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600),
                new Extension(SignedKey.OID, false, new DEROctetString(forged.toDer())));
    }

    /** A fresh ECDSA P-256 key pair, the kind of key a libp2p certificate is made on. */
    public static KeyPair newP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
