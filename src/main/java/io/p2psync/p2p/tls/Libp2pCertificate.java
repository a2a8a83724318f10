package io.p2psync.p2p.tls;

import com.google.protobuf.InvalidProtocolBufferException;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.p2p.core.pb.CryptoProto;
import io.p2psync.p2p.tls.Libp2pCertificateException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * A libp2p TLS certificate (tls.md, "Peer Authentication"): self-signed with SHA256withECDSA on a fresh
 * P-256 key that has nothing to do with the host key, and carrying the host's Ed25519 key and its
 * signature over the certificate key in the libp2p Public Key Extension. The certificate key is what TLS
 * signs the handshake with; the extension is what ties that key to a peer id.
 *
 * <p>{@link #verify} is the receiving side of the same section: it turns a peer's certificate chain into
 * the peer id it proves, or refuses it with a {@link Libp2pCertificateException} that names the reason.
 */
public final class Libp2pCertificate {

    /**
     * How long a certificate stays valid after it is made: 100 years, as go-libp2p writes them. Expiry
     * protects nothing here, since the key is made in memory, never stored, and proves only what the
     * extension says; a short span would only let a long-running node's certificate lapse under it.
     */
    static final Duration VALIDITY = Duration.ofDays(100 * 365L);

    /** NotBefore is set this far in the past, so a peer whose clock is behind ours still accepts it. */
    static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private static final AlgorithmIdentifier SHA256_WITH_ECDSA =
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Checks self-signatures: its ECDSA P-256 verification takes about 0.17 ms here against the JDK 17 SunEC
     * provider's 0.94 ms, and every QUIC handshake checks one on each side. Not registered with the JDK.
     */
    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();
    /** JCA key factory names for the certificate key algorithms tls.md's peers use. */
    private static final Map<String, String> KEY_ALGORITHMS = Map.of(
            "1.2.840.10045.2.1", "EC", "1.2.840.113549.1.1.1", "RSA", "1.3.101.112", "Ed25519",
            "1.2.840.113549.1.1.10", "RSASSA-PSS");

    private final java.security.PrivateKey privateKey;
    private final X509Certificate certificate;

    private Libp2pCertificate(java.security.PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    /**
     * Makes a new P-256 key and a certificate on it for {@code identity}, valid from an hour ago for
     * {@link #VALIDITY}, with a random 64-bit serial (also the subject and issuer name, so no two
     * certificates look alike). The libp2p extension is not marked critical: every libp2p peer reads it
     * anyway, and a critical extension unknown to a TLS stack could make it refuse the certificate before
     * the libp2p check is reached.
     */
    public static Libp2pCertificate generate(PrivateKey identity) {
        KeyPair keyPair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            keyPair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make P-256 keys", e);
        }
        byte[] signedKey = SignedKey.sign(identity, keyPair.getPublic().getEncoded()).toDer();
        Instant now = Instant.now();
        return selfSign(keyPair, now.minus(CLOCK_SKEW), now.plus(VALIDITY),
                new Extension(SignedKey.OID, false, new DEROctetString(signedKey)));
    }

    /**
     * A certificate on {@code keyPair} (a P-256 key), signed by itself with SHA256withECDSA, with a random
     * serial and the given validity (to the second) and extensions. Tests use it to make the certificates
     * {@link #verify} must refuse.
     */
    static Libp2pCertificate selfSign(KeyPair keyPair, Instant notBefore, Instant notAfter, Extension... extensions) {
        try {
            BigInteger serial = new BigInteger(64, RANDOM).add(BigInteger.ONE);
            X500Name name = new X500Name("SERIALNUMBER=" + serial);
            V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
            tbs.setSerialNumber(new ASN1Integer(serial));
            tbs.setSignature(SHA256_WITH_ECDSA);
            tbs.setIssuer(name);
            tbs.setSubject(name);
            // Time picks UTCTime up to 2049 and GeneralizedTime after it, as RFC 5280 section 4.1.2.5 asks
            tbs.setStartDate(new Time(Date.from(notBefore.truncatedTo(ChronoUnit.SECONDS))));
            tbs.setEndDate(new Time(Date.from(notAfter.truncatedTo(ChronoUnit.SECONDS))));
            tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()));
            if (extensions.length > 0) {
                tbs.setExtensions(new Extensions(extensions));
            }
            TBSCertificate toBeSigned = tbs.generateTBSCertificate();

            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keyPair.getPrivate(), RANDOM);
            signer.update(toBeSigned.getEncoded(ASN1Encoding.DER));
            byte[] der = new DERSequence(new ASN1Encodable[] {
                toBeSigned, SHA256_WITH_ECDSA, new DERBitString(signer.sign())
            }).getEncoded(ASN1Encoding.DER);

            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            return new Libp2pCertificate(keyPair.getPrivate(), certificate);
        } catch (GeneralSecurityException | IOException e) {
            // SHA256withECDSA and X.509 are in every JDK, and the encoding goes to memory
            throw new IllegalStateException("could not make a libp2p TLS certificate", e);
        }
    }

    /** The certificate key, for TLS to sign the handshake with; never the host key. */
    public java.security.PrivateKey privateKey() {
        return privateKey;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Checks a peer's certificate chain as tls.md, "Peer Authentication", asks: exactly one certificate,
     * valid now, no subjectUniqueID or issuerUniqueID, no critical extension but the libp2p one,
     * a valid self-signature, and a libp2p Public Key Extension whose Ed25519 host key signed the
     * certificate's SubjectPublicKeyInfo. Other key types of the spec (RSA, secp256k1, ECDSA) are refused
     * with {@link Reason#UNSUPPORTED_HOST_KEY_TYPE}: this project accepts Ed25519 peers only. A standard
     * extension marked critical (keyUsage, basicConstraints) counts as unknown, since nothing here enforces it.
     *
     * @return the peer id of the host key; whether it is the peer that was dialled is the caller's check
     * @throws Libp2pCertificateException naming the first check that failed
     */
    public static PeerId verify(X509Certificate[] chain) throws Libp2pCertificateException {
        if (chain == null || chain.length != 1 || chain[0] == null) {
            throw new Libp2pCertificateException(Reason.CHAIN_LENGTH, "certificate chain has "
                    + (chain == null ? 0 : chain.length) + " certificates, a libp2p peer sends exactly 1");
        }
        // Read from the DER, not through X509Certificate's getters: the JDK's parser refuses a certificate with
        // an empty issuer DN ("Empty issuer DN not allowed in X509Certificates"), and rust-libp2p's certificates
        // (so js-libp2p's QUIC transport's) have empty subject and issuer names, which tls.md allows.
        Certificate certificate = decode(chain[0]);
        TBSCertificate tbs = certificate.getTBSCertificate();
        Instant now = Instant.now();
        Instant notAfter = tbs.getEndDate().getDate().toInstant();
        Instant notBefore = tbs.getStartDate().getDate().toInstant();
        if (now.isAfter(notAfter)) {
            throw new Libp2pCertificateException(Reason.EXPIRED, "certificate expired at " + notAfter);
        }
        if (now.isBefore(notBefore)) {
            throw new Libp2pCertificateException(Reason.NOT_YET_VALID,
                    "certificate is not valid before " + notBefore);
        }
        if (tbs.getSubjectUniqueId() != null || tbs.getIssuerUniqueId() != null) {
            throw new Libp2pCertificateException(Reason.UNIQUE_ID_PRESENT,
                    "certificate has the deprecated subjectUniqueID or issuerUniqueID");
        }
        Extensions extensions = tbs.getExtensions();
        Set<String> unknownCritical = new TreeSet<>();
        if (extensions != null) {
            for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
                unknownCritical.add(oid.getId());
            }
        }
        unknownCritical.remove(SignedKey.OID.getId());
        if (!unknownCritical.isEmpty()) {
            throw new Libp2pCertificateException(Reason.UNKNOWN_CRITICAL_EXTENSION,
                    "certificate has unknown critical extensions " + unknownCritical);
        }
        verifySelfSignature(certificate);

        SignedKey signedKey = SignedKey.fromDer(extensionValue(extensions));
        PublicKey hostKey = hostKey(signedKey.publicKey());
        if (!signedKey.verifies(hostKey, subjectPublicKeyInfo(tbs))) {
            throw new Libp2pCertificateException(Reason.BAD_LIBP2P_SIGNATURE,
                    "libp2p extension signature does not verify for peer " + hostKey.peerId());
        }
        return hostKey.peerId();
    }

    /**
     * The peer id in a certificate's libp2p extension, read without checking anything: only for a certificate
     * that {@link #verify} already accepted, such as the one a finished TLS handshake carries (the handshake
     * runs {@link Libp2pTrustManager} on it and fails if it refuses). Saves checking the signatures twice.
     *
     * @throws Libp2pCertificateException if the certificate has no readable libp2p extension
     */
    public static PeerId peerIdOf(X509Certificate verified) throws Libp2pCertificateException {
        Extensions extensions = decode(verified).getTBSCertificate().getExtensions();
        return hostKey(SignedKey.fromDer(extensionValue(extensions)).publicKey()).peerId();
    }

    /** The certificate's ASN.1 structure, from its encoding as received. */
    private static Certificate decode(X509Certificate received) throws Libp2pCertificateException {
        try {
            return Certificate.getInstance(ASN1Primitive.fromByteArray(received.getEncoded()));
        } catch (GeneralSecurityException | IOException | IllegalArgumentException | IllegalStateException e) {
            throw new Libp2pCertificateException(Reason.BAD_SELF_SIGNATURE,
                    "certificate does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the signature over the TBSCertificate with the certificate's own key, under the algorithm the
     * certificate names (which must be the one inside the signed part too).
     */
    private static void verifySelfSignature(Certificate certificate) throws Libp2pCertificateException {
        AlgorithmIdentifier algorithm = certificate.getSignatureAlgorithm();
        try {
            if (!algorithm.equals(certificate.getTBSCertificate().getSignature())) {
                throw new GeneralSecurityException("the signature algorithm differs inside and outside the signed part");
            }
            SubjectPublicKeyInfo spki = certificate.getSubjectPublicKeyInfo();
            String keyAlgorithm = spki.getAlgorithm().getAlgorithm().getId();
            java.security.PublicKey key = KeyFactory.getInstance(KEY_ALGORITHMS.getOrDefault(keyAlgorithm, keyAlgorithm),
                            BOUNCY_CASTLE).generatePublic(new X509EncodedKeySpec(spki.getEncoded(ASN1Encoding.DER)));
            Signature verifier = Signature.getInstance(algorithm.getAlgorithm().getId(), BOUNCY_CASTLE);
            if (algorithm.getParameters() != null && !DERNull.INSTANCE.equals(algorithm.getParameters())) {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance(algorithm.getAlgorithm().getId());
                parameters.init(algorithm.getParameters().toASN1Primitive().getEncoded(ASN1Encoding.DER));
                verifier.setParameter(parameters.getParameterSpec(AlgorithmParameterSpec.class));
            }
            verifier.initVerify(key);
            verifier.update(certificate.getTBSCertificate().getEncoded(ASN1Encoding.DER));
            if (!verifier.verify(certificate.getSignature().getOctets())) {
                throw new SignatureException("Signature does not match.");
            }
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new Libp2pCertificateException(Reason.BAD_SELF_SIGNATURE,
                    "certificate self-signature does not verify: " + e.getMessage(), e);
        }
    }

    /** The libp2p extension's extnValue contents. */
    private static byte[] extensionValue(Extensions extensions) throws Libp2pCertificateException {
        Extension extension = extensions == null ? null : extensions.getExtension(SignedKey.OID);
        if (extension == null) {
            throw new Libp2pCertificateException(Reason.NO_LIBP2P_EXTENSION,
                    "certificate has no libp2p public key extension");
        }
        return extension.getExtnValue().getOctets();
    }

    /** Decodes the host key, telling a key type we do not accept apart from a broken encoding. */
    private static PublicKey hostKey(byte[] encoded) throws Libp2pCertificateException {
        CryptoProto.PublicKey pb;
        try {
            pb = CryptoProto.PublicKey.parseFrom(encoded);
        } catch (InvalidProtocolBufferException e) {
            throw new Libp2pCertificateException(Reason.MALFORMED_LIBP2P_EXTENSION,
                    "malformed libp2p host key: " + e.getMessage(), e);
        }
        if (pb.getType() != CryptoProto.KeyType.Ed25519) {
            throw new Libp2pCertificateException(Reason.UNSUPPORTED_HOST_KEY_TYPE,
                    "libp2p host key type " + pb.getType() + " is not supported, only Ed25519 is");
        }
        try {
            return PublicKey.fromProtobuf(encoded);
        } catch (IllegalArgumentException e) {
            throw new Libp2pCertificateException(Reason.MALFORMED_LIBP2P_EXTENSION,
                    "malformed libp2p host key: " + e.getMessage(), e);
        }
    }

    /** The DER SubjectPublicKeyInfo as the certificate carries it, which is what the host key signed. */
    private static byte[] subjectPublicKeyInfo(TBSCertificate tbs) throws Libp2pCertificateException {
        try {
            return tbs.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new Libp2pCertificateException(Reason.BAD_SELF_SIGNATURE,
                    "certificate body does not decode: " + e.getMessage(), e);
        }
    }
}
