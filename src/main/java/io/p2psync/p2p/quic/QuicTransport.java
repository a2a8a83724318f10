package io.p2psync.p2p.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrException;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.tls.Libp2pCertificate;
import io.p2psync.p2p.tls.Libp2pTrustManager;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libp2p over QUIC v1 (libp2p/specs quic/README.md) on Netty's QUIC codec: listen and dial on UDP, with
 * TLS 1.3, ALPN {@value #ALPN} and mutual authentication by the libp2p certificate (libp2p/specs
 * tls/tls.md). Netty and quiche carry the protocol; this class only configures them for libp2p: the
 * certificate and its checks, bidirectional streams only, stream and flow-control limits, half-closable
 * streams, and a logged refusal for datagrams and handshakes that fail.
 *
 * <p>What the TLS handshake proves is the certificate's libp2p key; the caller reads the peer id from the
 * connection with {@link QuicPeers#remotePeer} and compares it with the one it dialled. Dialling uses one
 * UDP socket per address family, bound to a free port, shared by all outbound connections.
 */
public final class QuicTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QuicTransport.class);

    /** The one ALPN protocol libp2p over QUIC offers and accepts. */
    public static final String ALPN = "libp2p";
    /** How long a dial may take, the QUIC and TLS handshake included. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** A connection with no packet for this long is closed (QUIC max_idle_timeout), unless set otherwise. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Bytes one stream may have in flight towards this side before the peer must wait for credit. */
    static final long STREAM_WINDOW = 1024 * 1024;
    /** Bytes all streams of one connection may have in flight towards this side. */
    static final long CONNECTION_WINDOW = 16 * STREAM_WINDOW;

    /** The length of the connection ids this side issues, quiche's longest. */
    static final int CONNECTION_ID_LENGTH = 20;

    private final EventLoopGroup group;
    private final QuicSslContext serverTls;
    private final QuicSslContext clientTls;
    private final int maxInboundStreams;
    private final Duration idleTimeout;
    private final ChannelHandler inboundStreams;
    private final LogSummary<String> refusals;
    private final Object sockets = new Object();
    private ChannelFuture dialSocket4;
    private ChannelFuture dialSocket6;

    /**
     * @param group the event loops, owned and shut down by the caller
     * @param identity the host's key, which signs the certificate's libp2p extension
     * @param maxInboundStreams bidirectional streams a peer may hold open at once on one connection; QUIC's own
     *     stream credit enforces it, so a peer cannot open more (its further opens wait or fail on its side)
     * @param idleTimeout a connection with no packet for this long is closed; the lower of both sides' counts
     * @param onInboundStream given each stream a peer opens, before it reads
     * @param refusals counts refused datagrams and handshakes, so a peer cannot fill the log
     */
    public QuicTransport(EventLoopGroup group, PrivateKey identity, int maxInboundStreams, Duration idleTimeout,
            Consumer<QuicStreamChannel> onInboundStream, LogSummary<String> refusals) {
        this.idleTimeout = idleTimeout;
        this.group = group;
        this.maxInboundStreams = maxInboundStreams;
        this.refusals = refusals;
        Libp2pCertificate certificate = Libp2pCertificate.generate(identity);
        this.serverTls = QuicSslContextBuilder.forServer(certificate.privateKey(), null, certificate.certificate())
                .trustManager(checkLogging("client"))
                .clientAuth(ClientAuth.REQUIRE)
                .applicationProtocols(ALPN)
                .build();
        this.clientTls = QuicSslContextBuilder.forClient()
                .keyManager(certificate.privateKey(), null, certificate.certificate())
                .trustManager(checkLogging("server"))
                .applicationProtocols(ALPN)
                .build();
        this.inboundStreams = new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel stream) {
                stream.pipeline().addFirst(QuicStreamEnds.INSTANCE);
                onInboundStream.accept(stream);
            }
        };
    }

    /**
     * Binds a UDP socket that accepts QUIC connections.
     *
     * @param address {@code /ip4|ip6/host/udp/port/quic-v1}; port 0 picks a free port
     * @param onConnected given each inbound connection once its handshake is done, on its event loop
     * @return the bound datagram channel (close it to stop listening)
     * @throws MultiaddrException if the address is not an IP, a UDP port and {@code /quic-v1}
     */
    public ChannelFuture listen(Multiaddr address, Consumer<QuicChannel> onConnected) {
        InetSocketAddress socket = address.toQuicSocketAddress();
        if (socket.isUnresolved()) {
            throw new MultiaddrException("listen on an IP address, not a name: " + address);
        }
        ChannelHandler codec = limits(new QuicServerCodecBuilder())
                .sslContext(serverTls)
                .tokenHandler(NoTokens.INSTANCE)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.fireChannelActive();
                        onConnected.accept((QuicChannel) ctx.channel());
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        refuse("handshake", "QUIC connection from " + ((QuicChannel) ctx.channel()).remoteSocketAddress()
                                + " failed: " + cause);
                        ctx.close();
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(inboundStreams)
                .build();
        return udpSocket(codec, true).bind(socket);
    }

    /**
     * Starts a QUIC connection to {@code address}.
     *
     * @return completes with the connection once the handshake is done (the peer's certificate checked), or
     *     fails with the reason; the connection is closed then. Listeners added at once run on the connection's
     *     event loop as the handshake completes, before any stream the peer opens is read: set the
     *     connection up there.
     * @throws MultiaddrException if the address is not an IP address, a UDP port and {@code /quic-v1}: Netty's
     *     QUIC bootstrap does not resolve host names, so {@code /dns…/udp/…/quic-v1} is refused here
     */
    public Future<QuicChannel> dial(Multiaddr address) {
        InetSocketAddress remote = address.toQuicSocketAddress();
        if (remote.isUnresolved()) {
            throw new MultiaddrException("QUIC is dialled by IP address only, not by name: " + address);
        }
        ChannelFuture socket = dialSocket(!(remote.getAddress() instanceof Inet4Address));
        // On the connection's own event loop, so the caller's listener runs as the handshake completes, before
        // the loop reads the streams the peer may open right behind it.
        Promise<QuicChannel> result = socket.channel().eventLoop().newPromise();
        socket.addListener(bound -> {
            if (!bound.isSuccess()) {
                result.tryFailure(bound.cause());
                return;
            }
            QuicChannel.newBootstrap(socket.channel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            // the dial fails with the reason, instead of Netty's warning at the pipeline's end
                            if (!result.tryFailure(cause)) {
                                log.debug("QUIC connection to {}: {}", address, cause.toString());
                            }
                            ctx.close();
                        }
                    })
                    .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .streamHandler(inboundStreams)
                    .remoteAddress(remote)
                    .connect()
                    .addListener(connected -> {
                        QuicChannel channel = (QuicChannel) connected.getNow();
                        if (!connected.isSuccess()) {
                            result.tryFailure(connected.cause());
                        } else if (!result.trySuccess(channel)) {
                            channel.close(); // too late: the dial has timed out
                        }
                    });
        });
        ScheduledFuture<?> timeout = socket.channel().eventLoop().schedule(() -> {
            if (result.tryFailure(new TimeoutException(
                    "no QUIC handshake with " + address + " within " + HANDSHAKE_TIMEOUT.toSeconds() + " s"))) {
                // the connection still trying is closed by the connect listener above when it completes, and
                // by quiche's own handshake timeout (the idle timeout) when it never does
                log.debug("QUIC dial to {} timed out", address);
            }
        }, HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        result.addListener(f -> timeout.cancel(false));
        return result;
    }

    /** Closes the dialling sockets; listening sockets are closed by whoever holds them. Connections stay open. */
    @Override
    public void close() {
        synchronized (sockets) {
            for (ChannelFuture socket : new ChannelFuture[] {dialSocket4, dialSocket6}) {
                if (socket != null) {
                    socket.channel().close();
                }
            }
        }
    }

    private ChannelFuture dialSocket(boolean ip6) {
        synchronized (sockets) {
            ChannelFuture socket = ip6 ? dialSocket6 : dialSocket4;
            if (socket == null || (socket.isDone() && !socket.channel().isOpen())) {
                ChannelHandler codec = limits(new QuicClientCodecBuilder()).sslContext(clientTls).build();
                socket = udpSocket(codec, false).bind(new InetSocketAddress(ip6 ? "::" : "0.0.0.0", 0));
                if (ip6) {
                    dialSocket6 = socket;
                } else {
                    dialSocket4 = socket;
                }
            }
            return socket;
        }
    }

    /** The transport parameters both sides announce; libp2p uses bidirectional streams only. */
    private <B extends QuicCodecBuilder<B>> B limits(B builder) {
        return builder.localConnectionIdLength(CONNECTION_ID_LENGTH)
                .maxIdleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(maxInboundStreams)
                .initialMaxStreamsUnidirectional(0);
    }

    private Bootstrap udpSocket(ChannelHandler codec, boolean server) {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramGuard(CONNECTION_ID_LENGTH, server, QuicTransport.this::refuse),
                                codec, new DatagramRefusals(QuicTransport.this::refuse));
                    }
                });
    }

    private void refuse(String kind, String line) {
        long count = refusals.event("quic-" + kind);
        if (count > 0) {
            log.warn("{}{}", line, count > 1 ? " (" + count + " such since the last line)" : "");
        }
    }

    /**
     * The libp2p certificate check with a logged refusal, since BoringSSL only fails the handshake. Whether the
     * certificate names the peer that was dialled is checked once the handshake is done (the codec gives the
     * check no way to know which dial a handshake belongs to).
     *
     * @param side whose certificate it checks: {@code client} on a listener, {@code server} when dialling
     */
    private Libp2pTrustManager checkLogging(String side) {
        return new Libp2pTrustManager(Optional.empty(), (refused, engine) -> {
            String peer = engine == null || engine.getPeerHost() == null ? ""
                    : " at " + engine.getPeerHost() + ":" + engine.getPeerPort();
            refuse("certificate", "refused the TLS certificate of a QUIC " + side + peer + ": " + refused.getMessage());
        });
    }

    /** Logs what the codec could not take, e.g. datagrams that are not QUIC, instead of Netty's pipeline-end warning. */
    private static final class DatagramRefusals extends ChannelInboundHandlerAdapter {
        private final BiConsumer<String, String> refuse;

        DatagramRefusals(BiConsumer<String, String> refuse) {
            this.refuse = refuse;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            refuse.accept("datagram", "dropped a UDP datagram on " + ctx.channel().localAddress() + ": " + cause);
        }
    }
}
