package io.p2psync.p2p.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.tls.BadCertificates;
import io.p2psync.p2p.tls.Libp2pCertificate;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Hostile QUIC peers, written with Netty's codec directly, against a real host on 127.0.0.1: each refusal is
 * logged with its reason, the handshake fails, and the host goes on serving honest peers.
 */
class QuicRefusalsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<Host> hosts = new ArrayList<>();
    private final List<Channel> sockets = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(QuicTransport.class)).addAppender(logs);
    }

    @AfterEach
    void close() {
        hosts.forEach(Host::close);
        sockets.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        ((Logger) LoggerFactory.getLogger(QuicTransport.class)).detachAppender(logs);
    }

    @Test
    void aClientCertificateWithoutTheLibp2pExtensionIsRefused() throws Exception {
        Host host = quicHost();

        Future<QuicChannel> attempt = rawDial(host, BadCertificates.withoutExtension(), QuicTransport.ALPN);

        assertThat(attempt.await(WAIT.toMillis())).isTrue();
        assertThat(attempt.isSuccess()).isFalse();
        awaitLogLine("refused the TLS certificate of a QUIC client: certificate has no libp2p public key extension");
        assertStillServes(host);
    }

    @Test
    void aClientCertificateWhoseExtensionSignatureDoesNotVerifyIsRefused() throws Exception {
        Host host = quicHost();
        PrivateKey victim = PrivateKey.generate();

        Future<QuicChannel> attempt = rawDial(host, BadCertificates.claiming(victim), QuicTransport.ALPN);

        assertThat(attempt.await(WAIT.toMillis())).isTrue();
        assertThat(attempt.isSuccess()).isFalse();
        awaitLogLine("refused the TLS certificate of a QUIC client: libp2p extension signature does not verify");
        assertThat(host.isConnected(victim.peerId())).isFalse();
        assertStillServes(host);
    }

    @Test
    void aClientOfferingAnotherAlpnProtocolIsRefused() throws Exception {
        Host host = quicHost();

        Future<QuicChannel> attempt = rawDial(host, Libp2pCertificate.generate(PrivateKey.generate()), "h3");

        assertThat(attempt.await(WAIT.toMillis())).isTrue();
        assertThat(attempt.isSuccess()).isFalse();
        awaitLogLine("NO_APPLICATION_PROTOCOL");
        assertStillServes(host);
    }

    @Test
    void aServerCertificateWithoutTheLibp2pExtensionIsRefusedByTheDialler() throws Exception {
        InetSocketAddress server = rawServer(BadCertificates.withoutExtension());
        Host dialer = quicHost();

        assertThat(dialer.dial(quicAddress(server, PrivateKey.generate()))).failsWithin(WAIT);
        awaitLogLine("refused the TLS certificate of a QUIC server: certificate has no libp2p public key extension");
    }

    @Test
    void aServerClaimingTheDialledPeerWithoutItsKeyIsRefused() throws Exception {
        PrivateKey dialled = PrivateKey.generate();
        InetSocketAddress server = rawServer(BadCertificates.claiming(dialled));
        Host dialer = quicHost();

        assertThat(dialer.dial(quicAddress(server, dialled))).failsWithin(WAIT);
        awaitLogLine("refused the TLS certificate of a QUIC server: libp2p extension signature does not verify");
        assertThat(dialer.isConnected(dialled.peerId())).isFalse();
    }

    private Host quicHost() {
        Host host = Host.builder().listen("/ip4/127.0.0.1/udp/0/quic-v1").start();
        hosts.add(host);
        return host;
    }

    /** An honest peer still connects, and the host saw no connection from the hostile one. */
    private void assertStillServes(Host host) throws Exception {
        Host honest = quicHost();
        Connection connection = honest.dial(host.listenAddresses().get(0).withPeerId(host.peerId()))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(connection.transport()).isEqualTo(Connection.Transport.QUIC);
        await().atMost(WAIT).untilAsserted(() -> assertThat(host.connectedPeers()).containsExactly(honest.peerId()));
    }

    private void awaitLogLine(String text) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(logs.list).map(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.contains(text)));
    }

    private Future<QuicChannel> rawDial(Host host, Libp2pCertificate certificate, String alpn) throws Exception {
        QuicSslContext tls = QuicSslContextBuilder.forClient()
                .keyManager(certificate.privateKey(), null, certificate.certificate())
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(alpn)
                .build();
        ChannelHandler codec = new QuicClientCodecBuilder().sslContext(tls)
                .maxIdleTimeout(5, TimeUnit.SECONDS).initialMaxData(1 << 20)
                .initialMaxStreamDataBidirectionalLocal(1 << 20).build();
        Channel socket = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        sockets.add(socket);
        return QuicChannel.newBootstrap(socket).handler(new ChannelInboundHandlerAdapter())
                .streamHandler(new ChannelInboundHandlerAdapter())
                .remoteAddress(host.listenAddresses().get(0).toQuicSocketAddress())
                .connect();
    }

    private InetSocketAddress rawServer(Libp2pCertificate certificate) throws Exception {
        QuicSslContext tls = QuicSslContextBuilder.forServer(certificate.privateKey(), null, certificate.certificate())
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .clientAuth(ClientAuth.REQUIRE)
                .applicationProtocols(QuicTransport.ALPN)
                .build();
        ChannelHandler codec = new QuicServerCodecBuilder().sslContext(tls).tokenHandler(NoTokens.INSTANCE)
                .maxIdleTimeout(5, TimeUnit.SECONDS).initialMaxData(1 << 20)
                .initialMaxStreamDataBidirectionalRemote(1 << 20).initialMaxStreamsBidirectional(16)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .streamHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .build();
        Channel socket = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        sockets.add(socket);
        return (InetSocketAddress) socket.localAddress();
    }

    private static Multiaddr quicAddress(InetSocketAddress socket, PrivateKey peer) {
        return Multiaddr.quicFromSocketAddress(socket).withPeerId(peer.peerId());
    }
}
