package io.p2psync.p2p.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.tls.Libp2pCertificateException.Reason;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import io.netty.handler.ssl.util.LazyX509Certificate;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class Libp2pCertificateTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final PrivateKey IDENTITY = PrivateKey.generate();
    private static final String RUST_LIBP2P_CERTIFICATE = "MIIBhDCCASmgAwIBAgIUJhHvVb+V8uU++w/h8SZbcn5HURAwCgYIKoZIzj0EAwIwADAgFw03NTAxMDEwMDAwMDBaGA80MDk2"
            + "MDEwMTAwMDAwMFowADBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJLE4ULSyCBPbLD6vXNX9A/MC3BGPH4KwVan24JRSphJ"
            + "nkxU+h8PLC5gES2RazJACecbQMsUXoL4P9cYPovM6JijfzB9MHsGCisGAQQBg6JaAQEBAf8EajBoBCQIARIg9iadPF9mgt7W"
            + "fnuRDwVdsTNJu7WscG0ig8ZgVzTnvX8EQBBk0W7Qbv6lA7uFeaPzYecgJPafD5d9DX8UOvlUBPHUsJi+mkkS71qsxjWhNOYR"
            + "eJzRuloSVKs9i+qgXhGt+wAwCgYIKoZIzj0EAwIDSQAwRgIhAIcH/8Se+pzrGU26IPBKCiRvu9MiK1Xr18XXRxgZ2AkzAiEA"
            + "4ui7odiAMvODfN/oTTuq7xEvosMfM7HmyqW2sowvb+g=";
    private static final String RUST_LIBP2P_PEER = "12D3KooWSPEcWaF8GpRX4WHiqu4TPhr7EsaNu162K9Qkn7ybBkyL";

    @Test
    void generatedCertificateVerifiesToTheIdentitysPeerId() throws Exception {
        Libp2pCertificate generated = Libp2pCertificate.generate(IDENTITY);

        assertThat(Libp2pCertificate.verify(new X509Certificate[] {generated.certificate()}))
                .isEqualTo(IDENTITY.peerId());
    }

    @Test
    void generatedCertificateIsSelfSignedOnItsOwnP256KeyForALongTime() throws Exception {
        Instant before = Instant.now();
        Libp2pCertificate generated = Libp2pCertificate.generate(IDENTITY);
        X509Certificate certificate = generated.certificate();

        assertThat(certificate.getVersion()).isEqualTo(3);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(certificate.getSubjectX500Principal()).isEqualTo(certificate.getIssuerX500Principal());
        assertThat(certificate.getNotBefore().toInstant())
                .isBetween(before.minus(Duration.ofHours(1)).minusSeconds(1), before.minus(Duration.ofMinutes(59)));
        assertThat(certificate.getNotAfter().toInstant()).isAfter(before.plus(Duration.ofDays(36_000)));
        assertThat(certificate.getNonCriticalExtensionOIDs()).containsExactly("1.3.6.1.4.1.53594.1.1");
        assertThat(Libp2pCertificate.generate(IDENTITY).certificate().getSerialNumber())
                .isNotEqualTo(certificate.getSerialNumber());

        // the private key is the certificate's, which is what TLS signs the handshake with
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(generated.privateKey());
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "/p2p/tls-certificate-vectors.csv")
    void checksTheSpecTestVectors(String name, String certificateHex, String peerId, Reason refusal) throws Exception {
        X509Certificate[] chain = {parse(HEX.parseHex(certificateHex))};

        if (peerId != null) {
            assertThat(Libp2pCertificate.verify(chain)).isEqualTo(PeerId.parse(peerId));
        } else {
            assertRefused(() -> Libp2pCertificate.verify(chain), refusal);
        }
    }

    @Test
    void refusesACertificateWithoutTheLibp2pExtension() {
        Libp2pCertificate plain = selfSign(newP256(), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));

        assertRefused(plain, Reason.NO_LIBP2P_EXTENSION)
                .hasMessage("certificate has no libp2p public key extension");
    }

    @Test
    void refusesAnExtensionSignedByAnotherHostKey() {
        KeyPair certificateKey = newP256();
        byte[] keyInfo = certificateKey.getPublic().getEncoded();
        byte[] otherSignature = SignedKey.sign(PrivateKey.generate(), keyInfo).signature();
        SignedKey forged = new SignedKey(IDENTITY.publicKey().toProtobuf(), otherSignature);

        assertRefused(withExtension(certificateKey, forged.toDer(), false), Reason.BAD_LIBP2P_SIGNATURE)
                .hasMessageStartingWith("libp2p extension signature does not verify");
    }

    @Test
    void refusesAnExtensionThatSignedAnotherCertificateKey() {
        SignedKey forOtherKey = SignedKey.sign(IDENTITY, newP256().getPublic().getEncoded());

        assertRefused(withExtension(newP256(), forOtherKey.toDer(), false), Reason.BAD_LIBP2P_SIGNATURE);
    }

    @Test
    void refusesAMalformedExtension() {
        assertRefused(withExtension(newP256(), new byte[] {0x30, 0x03, 0x04, 0x01, 0x00}, false),
                Reason.MALFORMED_LIBP2P_EXTENSION);

        KeyPair certificateKey = newP256();
        SignedKey signed = SignedKey.sign(IDENTITY, certificateKey.getPublic().getEncoded());
        byte[] trailing = Arrays.copyOf(signed.toDer(), signed.toDer().length + 1);
        assertRefused(withExtension(certificateKey, trailing, false), Reason.MALFORMED_LIBP2P_EXTENSION);

        SignedKey garbageHostKey = new SignedKey(new byte[] {0x08, 0x01, 0x12, 0x01, 0x00}, signed.signature());
        assertRefused(withExtension(certificateKey, garbageHostKey.toDer(), false), Reason.MALFORMED_LIBP2P_EXTENSION);
    }

    @Test
    void acceptsTheLibp2pExtensionMarkedCritical() throws Exception {
        KeyPair certificateKey = newP256();
        SignedKey signed = SignedKey.sign(IDENTITY, certificateKey.getPublic().getEncoded());

        assertThat(Libp2pCertificate.verify(chainOf(withExtension(certificateKey, signed.toDer(), true))))
                .isEqualTo(IDENTITY.peerId());
    }

    @Test
    void ignoresUnknownNonCriticalExtensionsButRefusesUnknownCriticalOnes() throws Exception {
        KeyPair certificateKey = newP256();
        Extension libp2p = libp2pExtension(certificateKey, false);
        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
        Instant now = Instant.now();

        Libp2pCertificate nonCritical = Libp2pCertificate.selfSign(certificateKey, now.minusSeconds(60),
                now.plusSeconds(3600), libp2p, new Extension(unknown, false, new DEROctetString(new byte[] {5})));
        assertThat(Libp2pCertificate.verify(chainOf(nonCritical))).isEqualTo(IDENTITY.peerId());

        Libp2pCertificate critical = Libp2pCertificate.selfSign(certificateKey, now.minusSeconds(60),
                now.plusSeconds(3600), libp2p, new Extension(unknown, true, new DEROctetString(new byte[] {5})));
        assertRefused(critical, Reason.UNKNOWN_CRITICAL_EXTENSION).hasMessageContaining("1.3.6.1.4.1.99999.1");
    }

    @Test
    void refusesAChainOfOtherThanOneCertificate() {
        X509Certificate certificate = Libp2pCertificate.generate(IDENTITY).certificate();

        assertRefused(() -> Libp2pCertificate.verify(new X509Certificate[] {certificate, certificate}),
                Reason.CHAIN_LENGTH).hasMessageContaining("2 certificates");
        assertRefused(() -> Libp2pCertificate.verify(new X509Certificate[0]), Reason.CHAIN_LENGTH);
        assertRefused(() -> Libp2pCertificate.verify(null), Reason.CHAIN_LENGTH);
    }

    @Test
    void refusesAnExpiredCertificate() {
        KeyPair certificateKey = newP256();
        Instant now = Instant.now();
        Libp2pCertificate expired = Libp2pCertificate.selfSign(certificateKey, now.minus(Duration.ofDays(2)),
                now.minus(Duration.ofDays(1)), libp2pExtension(certificateKey, false));

        assertRefused(expired, Reason.EXPIRED).hasMessageStartingWith("certificate expired at");
    }

    @Test
    void refusesACertificateNotYetValid() {
        KeyPair certificateKey = newP256();
        Instant now = Instant.now();
        Libp2pCertificate future = Libp2pCertificate.selfSign(certificateKey, now.plus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)), libp2pExtension(certificateKey, false));

        assertRefused(future, Reason.NOT_YET_VALID);
    }

    /**
     * A certificate as @chainsafe/libp2p-quic 1.1.8 (rust-libp2p's libp2p-tls) presents it, captured from the js
     * interop peer: empty subject and issuer names, valid 1975 to 4096, the libp2p extension critical. The
     * JDK's X.509 parser refuses it ("Empty issuer DN not allowed in X509Certificates"), so verify must read the
     * DER itself; it arrives wrapped unparsed, as Netty's QUIC codec hands the chain to the trust manager.
     */
    @Test
    void acceptsARustLibp2pCertificateWithEmptyNames() throws Exception {
        byte[] der = java.util.Base64.getDecoder().decode(RUST_LIBP2P_CERTIFICATE);

        PeerId peer = Libp2pCertificate.verify(new X509Certificate[] {new LazyX509Certificate(der)});

        assertThat(peer).isEqualTo(PeerId.parse(RUST_LIBP2P_PEER));
    }

    @Test
    void refusesABrokenSelfSignature() throws Exception {
        byte[] der = Libp2pCertificate.generate(IDENTITY).certificate().getEncoded();
        der[der.length - 1] ^= 0x01; // the last byte of the signature's s

        assertRefused(() -> Libp2pCertificate.verify(new X509Certificate[] {parse(der)}), Reason.BAD_SELF_SIGNATURE);
    }

    @Test
    void trustManagerRefusesAPeerOtherThanTheDialledOne() throws Exception {
        X509Certificate[] chain = chainOf(Libp2pCertificate.generate(IDENTITY));
        PeerId dialled = PrivateKey.generate().peerId();
        Libp2pTrustManager dialler = new Libp2pTrustManager(Optional.of(dialled));

        for (ThrowingCallable check : new ThrowingCallable[] {
            () -> dialler.checkServerTrusted(chain, "ECDHE_ECDSA"),
            () -> dialler.checkServerTrusted(chain, "ECDHE_ECDSA", (Socket) null),
            () -> dialler.checkServerTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null),
            () -> dialler.checkClientTrusted(chain, "ECDHE_ECDSA"),
            () -> dialler.checkClientTrusted(chain, "ECDHE_ECDSA", (Socket) null),
            () -> dialler.checkClientTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null)
        }) {
            assertRefused(check, Reason.UNEXPECTED_PEER)
                    .hasMessage("peer id " + IDENTITY.peerId() + " is not the dialled " + dialled);
        }
    }

    @Test
    void trustManagerAcceptsTheDialledPeerAndAnyProvenPeerWhenListening() throws Exception {
        X509Certificate[] chain = chainOf(Libp2pCertificate.generate(IDENTITY));
        Libp2pTrustManager dialler = new Libp2pTrustManager(Optional.of(IDENTITY.peerId()));
        Libp2pTrustManager listener = new Libp2pTrustManager(Optional.empty());

        assertThat(dialler.check(chain)).isEqualTo(IDENTITY.peerId());
        assertThatCode(() -> dialler.checkServerTrusted(chain, "UNKNOWN", (SSLEngine) null))
                .doesNotThrowAnyException();
        assertThatCode(() -> listener.checkClientTrusted(chain, "UNKNOWN", (SSLEngine) null))
                .doesNotThrowAnyException();
        assertThat(listener.getAcceptedIssuers()).isEmpty();
        assertRefused(() -> listener.checkClientTrusted(chainOf(selfSign(newP256(), Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(60))), "UNKNOWN"), Reason.NO_LIBP2P_EXTENSION);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            Libp2pCertificate certificate, Reason reason) {
        return assertRefused(() -> Libp2pCertificate.verify(chainOf(certificate)), reason);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            ThrowingCallable check, Reason reason) {
        return assertThatThrownBy(check)
                .isInstanceOfSatisfying(Libp2pCertificateException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static Libp2pCertificate withExtension(KeyPair certificateKey, byte[] value, boolean critical) {
        Instant now = Instant.now();
        return Libp2pCertificate.selfSign(certificateKey, now.minusSeconds(60), now.plusSeconds(3600),
                new Extension(SignedKey.OID, critical, new DEROctetString(value)));
    }

    private static Extension libp2pExtension(KeyPair certificateKey, boolean critical) {
        byte[] value = SignedKey.sign(IDENTITY, certificateKey.getPublic().getEncoded()).toDer();
        return new Extension(SignedKey.OID, critical, new DEROctetString(value));
    }

    private static Libp2pCertificate selfSign(KeyPair certificateKey, Instant notBefore, Instant notAfter) {
        return Libp2pCertificate.selfSign(certificateKey, notBefore, notAfter);
    }

    private static X509Certificate[] chainOf(Libp2pCertificate certificate) {
        return new X509Certificate[] {certificate.certificate()};
    }

    private static X509Certificate parse(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static KeyPair newP256() {
        return BadCertificates.newP256();
    }
}
