package io.p2psync.interop;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.HostBuilder;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.ping.PingProtocol;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Java libp2p node as the service would run one, for interop tests: the host on 127.0.0.1 with
 * identify, ping and the test echo protocol.
 */
public final class JavaNode implements AutoCloseable {

    public static final String AGENT = "p2p-sync-interop-java/0.1.0";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Host host;
    private final IdentifyProtocol identify;
    private final PingProtocol ping = new PingProtocol();

    /** Listens on TCP only, as the TCP interop tests expect. */
    static final List<String> TCP = List.of("/ip4/127.0.0.1/tcp/0");
    /** Listens on TCP and on QUIC (QUIC on the TCP port number if UDP has it free). */
    static final List<String> TCP_AND_QUIC = List.of("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1");

    private JavaNode(PrivateKey key, List<String> listen, java.util.function.Consumer<HostBuilder> extra) {
        AtomicReference<Host> self = new AtomicReference<>();
        identify = new IdentifyProtocol(() -> {
            Host h = self.get();
            return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, h.agentVersion(), h.publicKey(),
                    h.listenAddresses().stream().map(Multiaddr::toBytes).toList(), null, h.protocolIds());
        });
        HostBuilder builder = Host.builder().privateKey(key).agentVersion(AGENT)
                .protocol(identify).protocol(ping).protocol(new EchoProtocol());
        listen.forEach(builder::listen);
        extra.accept(builder);
        host = builder.start();
        self.set(host);
    }

    public static JavaNode start() {
        return new JavaNode(PrivateKey.generate(), TCP, b -> { });
    }

    /** A node that listens on TCP and QUIC on 127.0.0.1; {@link #addr()} is its TCP address, {@link #quicAddr()} its QUIC one. */
    public static JavaNode startTcpAndQuic() {
        return new JavaNode(PrivateKey.generate(), TCP_AND_QUIC, b -> { });
    }

    /** @param extra more protocols or listeners for the host (gossipsub, say) */
    public static JavaNode start(PrivateKey key, java.util.function.Consumer<HostBuilder> extra) {
        return new JavaNode(key, TCP, extra);
    }

    /**
     * @param listen the listen multiaddrs, e.g. {@link #TCP_AND_QUIC}
     * @param extra more protocols or listeners for the host (gossipsub, say)
     */
    public static JavaNode start(PrivateKey key, List<String> listen, java.util.function.Consumer<HostBuilder> extra) {
        return new JavaNode(key, listen, extra);
    }

    public Host host() {
        return host;
    }

    public PeerId peerId() {
        return host.peerId();
    }

    /** The first listen address with {@code /p2p/<id>}. */
    public String addr() {
        return host.listenAddresses().get(0).withPeerId(host.peerId()).toString();
    }

    /** The first {@code /udp/…/quic-v1} listen address with {@code /p2p/<id>}. */
    public String quicAddr() {
        return host.listenAddresses().stream().filter(Multiaddr::isQuic).findFirst()
                .orElseThrow(() -> new IllegalStateException(host + " does not listen on QUIC"))
                .withPeerId(host.peerId()).toString();
    }

    /** Dials {@code multiaddr} (TCP or QUIC) and answers the connection, once it is secured and multiplexed. */
    public Connection dial(String multiaddr) throws Exception {
        return host.dial(Multiaddr.parse(multiaddr)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One ping over a fresh {@code /ipfs/ping/1.0.0} stream to a connected peer. */
    public Duration ping(PeerId peer) throws Exception {
        P2pStream stream = host.newStream(peer, ping).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return ping.ping(stream).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            stream.halfClose();
        }
    }

    /** Asks a connected peer who it is over {@code /ipfs/id/1.0.0}. */
    public IdentifyInfo identify(PeerId peer) throws Exception {
        CompletableFuture<IdentifyInfo> info = host.newStream(peer, identify).thenCompose(identify::identify);
        return info.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        host.close();
    }
}
