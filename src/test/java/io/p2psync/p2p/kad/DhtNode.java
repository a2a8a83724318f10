package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A host on 127.0.0.1 with identify, ping and a DHT, for tests and benchmarks. */
public record DhtNode(Host host, KadDht dht) implements AutoCloseable {

    public static DhtNode start(KadConfig config) {
        return start(config, "/ip4/127.0.0.1/tcp/0");
    }

    /** A node listening on {@code listen}, e.g. an address inside a test's own network namespace. */
    public static DhtNode start(KadConfig config, String listen) {
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = identify(self::get);
        // ping too: js-libp2p's DHT pings a peer before it takes it into its routing table
        Host host = Host.builder().listen(listen).protocol(identify)
                .protocol(new io.p2psync.p2p.ping.PingProtocol()).ioThreads(1).start();
        self.set(host);
        return new DhtNode(host, KadDht.start(host, identify, config));
    }

    /** Identify answering with the host's listen addresses and protocols. */
    public static IdentifyProtocol identify(java.util.function.Supplier<Host> host) {
        return new IdentifyProtocol(() -> info(host.get()));
    }

    /** What {@code h} says of itself in identify (and identify push): its listen addresses and protocols now. */
    public static IdentifyInfo info(Host h) {
        return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "p2p-sync/test", h.publicKey(),
                h.listenAddresses().stream().map(Multiaddr::toBytes).toList(), null, h.protocolIds());
    }

    public PeerId peerId() {
        return host.peerId();
    }

    /** The first listen address with {@code /p2p/}. */
    public Multiaddr addr() {
        return host.listenAddresses().get(0).withPeerId(host.peerId());
    }

    public List<PeerId> table() {
        return dht.routingTablePeers();
    }

    @Override
    public void close() {
        dht.close();
        host.close();
    }
}
