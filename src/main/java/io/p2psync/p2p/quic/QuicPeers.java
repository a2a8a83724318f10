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
     * The peer id in the libp2p extension of the certificate the peer presented, checked again as the
     * handshake checked it.
     *
     * @throws CertificateException if the peer presented no certificate or not a valid libp2p one
     */
    public static PeerId remotePeer(QuicChannel connection) throws CertificateException {
        Certificate[] presented;
        try {
            presented = connection.sslEngine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new CertificateException("the peer presented no certificate", e);
        }
        X509Certificate[] chain = new X509Certificate[presented.length];
        for (int i = 0; i < presented.length; i++) {
            if (!(presented[i] instanceof X509Certificate x509)) {
                throw new CertificateException("the peer presented a certificate that is not X.509");
            }
            chain[i] = x509;
        }
        return Libp2pCertificate.verify(chain);
    }
}
