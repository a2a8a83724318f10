package io.p2psync.p2p.quic;

import io.netty.handler.codec.quic.QuicChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.tls.Libp2pCertificate;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Reads who is at the other end of a QUIC connection whose handshake is done. */
public final class QuicPeers {

    private QuicPeers() {
    }

    /**
     * The peer id in the libp2p extension of the certificate the peer presented. The handshake has already
     * checked that certificate (the trust manager refuses the handshake otherwise), so it is not checked
     * again: its two signature checks cost about a millisecond on every connection.
     *
     * @throws CertificateException if the peer presented no certificate, or not exactly one with a libp2p
     *     extension
     */
    public static PeerId remotePeer(QuicChannel connection) throws CertificateException {
        Certificate[] presented;
        try {
            presented = connection.sslEngine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new CertificateException("the peer presented no certificate", e);
        }
        if (presented.length != 1 || !(presented[0] instanceof X509Certificate certificate)) {
            throw new CertificateException("the peer presented " + presented.length + " certificates, not one X.509");
        }
        return Libp2pCertificate.peerIdOf(certificate);
    }
}
