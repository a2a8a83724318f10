package io.p2psync.p2p.tls;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.tls.Libp2pCertificateException.Reason;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the certificates that {@link Libp2pCertificate#verify} accepts, on either side of the
 * handshake (tls.md makes client authentication mandatory, so the server checks the client the same way).
 * No certificate authority takes part: {@link #getAcceptedIssuers()} is empty, and the authentication type,
 * socket and engine are ignored.
 *
 * <p>A dialler makes one per connection with the peer it dialled, and the handshake fails if the
 * certificate proves any other (tls.md, "libp2p Public Key Extension": clients MUST check the peer id). A
 * listener shares one with no expected peer. Nothing is kept: after the handshake, the connection reads
 * the remote peer id from the session's peer certificate ({@link Libp2pCertificate#peerIdOf}). A refusal is
 * given to an optional listener before the handshake fails, so the caller can log it with its reason.
 */
public final class Libp2pTrustManager extends X509ExtendedTrustManager {

    private final Optional<PeerId> expected;
    private final BiConsumer<Libp2pCertificateException, SSLEngine> onRefusal;

    /** @param expected the dialled peer, or empty to accept any peer that proves its id (listening side) */
    public Libp2pTrustManager(Optional<PeerId> expected) {
        this(expected, (refusal, engine) -> { });
    }

    /**
     * @param expected the dialled peer, or empty to accept any peer that proves its id (listening side)
     * @param onRefusal told of every refused certificate, with the handshake's engine (null when the check was
     *     not made through one), before the refusal is thrown
     */
    public Libp2pTrustManager(Optional<PeerId> expected, BiConsumer<Libp2pCertificateException, SSLEngine> onRefusal) {
        this.expected = Objects.requireNonNull(expected, "expected");
        this.onRefusal = Objects.requireNonNull(onRefusal, "onRefusal");
    }

    /**
     * The check behind every overload.
     *
     * @return the peer id the certificate proves
     * @throws Libp2pCertificateException if {@link Libp2pCertificate#verify} refuses the chain, or with
     *     {@link Reason#UNEXPECTED_PEER} if it proves a peer other than the expected one
     */
    public PeerId check(X509Certificate[] chain) throws Libp2pCertificateException {
        return check(chain, null);
    }

    private PeerId check(X509Certificate[] chain, SSLEngine engine) throws Libp2pCertificateException {
        try {
            PeerId peer = Libp2pCertificate.verify(chain);
            if (expected.isPresent() && !expected.get().equals(peer)) {
                throw new Libp2pCertificateException(Reason.UNEXPECTED_PEER,
                        "peer id " + peer + " is not the dialled " + expected.get());
            }
            return peer;
        } catch (Libp2pCertificateException refused) {
            onRefusal.accept(refused, engine);
            throw refused;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws Libp2pCertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws Libp2pCertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws Libp2pCertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws Libp2pCertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws Libp2pCertificateException {
        check(chain, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws Libp2pCertificateException {
        check(chain, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
