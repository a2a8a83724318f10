package io.p2psync.interop;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.HostBuilder;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.ping.PingProtocol;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;
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

    private JavaNode(PrivateKey key, String listen, java.util.function.Consumer<HostBuilder> extra) {
        AtomicReference<Host> self = new AtomicReference<>();
        identify = new IdentifyProtocol(() -> {
            Host h = self.get();
            return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, h.agentVersion(), h.publicKey(),
                    h.listenAddresses().stream().map(Multiaddr::toBytes).toList(), null, h.protocolIds());
        });
        HostBuilder builder = Host.builder().privateKey(key).listen(listen).agentVersion(AGENT)
                .protocol(identify).protocol(ping).protocol(new EchoProtocol());
        extra.accept(builder);
        host = builder.start();
        self.set(host);
    }

    public static JavaNode start() {
        return new JavaNode(PrivateKey.generate(), "/ip4/127.0.0.1/tcp/0", b -> { });
    }

    /** @param extra more protocols or listeners for the host (gossipsub, say) */
    public static JavaNode start(PrivateKey key, java.util.function.Consumer<HostBuilder> extra) {
        return new JavaNode(key, "/ip4/127.0.0.1/tcp/0", extra);
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

    public void dial(String multiaddr) throws Exception {
        host.dial(Multiaddr.parse(multiaddr)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One ping over a fresh {@code /ipfs/ping/1.0.0} stream to a connected peer. */
    public Duration ping(PeerId peer) throws Exception {
        P2pStream stream = host.newStream(peer, ping).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return ping.ping(stream).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            ((DuplexChannel) stream.channel()).shutdownOutput();
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
