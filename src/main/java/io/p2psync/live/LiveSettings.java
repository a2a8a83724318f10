package io.p2psync.live;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the live network, under {@code p2psync.libp2p}.
 *
 * @param enabled false switches the whole live network off: no host, no gossip, no dialling
 * @param host the address the libp2p host listens on ({@code 0.0.0.0}: every interface)
 * @param port the libp2p port, TCP and UDP (QUIC) alike; 0 picks a free one (tests), the same number for both when
 *     it is free for both
 * @param tcp listen and dial on TCP (with Noise and yamux)
 * @param quic listen and dial on QUIC v1 ({@code /udp/<port>/quic-v1}); a peer that announces a QUIC address is
 *     dialled over QUIC first, then over TCP
 * @param quicIdleTimeout a QUIC connection without a packet for this long is closed (the lower of both sides'
 *     timeouts counts); the node pings every QUIC connection three times as often and at least every 5 s
 * @param mdns find LAN peers by mDNS (only where the mDNS module is present; off in tests)
 * @param mdnsInterval how often mDNS asks the LAN
 * @param peers multiaddrs dialled at start and redialled when lost, e.g. {@code /ip4/192.168.1.7/tcp/4001/p2p/12D3KooW…}
 * @param seedCompat also publish kv changes in the seed protocol's {@code {"Put":…}} / {@code {"Delete":…}} form
 * @param topic the gossipsub topic
 * @param maxMessageSize the largest gossip payload accepted or published
 * @param rateLimit messages accepted from one peer per {@code rateWindow}; more are dropped, the peer stays connected
 * @param rateWindow the window of {@code rateLimit}
 * @param maxInboundConnections inbound libp2p connections open at once, handshaking or not; more are closed at accept
 * @param maxGuestConnections inbound connections from peers that are not authorized devices held at once; more are
 *     closed as soon as the peer is known, so such peers never take the slots of devices
 * @param guestGracePeriod how long a connection from a peer that is not an authorized device stays open (time for
 *     identify and ping); then it is closed unless the device was authorized meanwhile
 * @param maxInboundStreams streams a peer may hold open on one connection; further ones are reset
 * @param maxQueuedPerPeer gossip bytes waiting to be sent to one peer; past it the peer's gossip stream is reset
 */
@ConfigurationProperties("p2psync.libp2p")
public record LiveSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("0.0.0.0") String host,
        @DefaultValue("4001") int port,
        @DefaultValue("true") boolean tcp,
        @DefaultValue("true") boolean quic,
        @DefaultValue("30s") Duration quicIdleTimeout,
        @DefaultValue("true") boolean mdns,
        @DefaultValue("10s") Duration mdnsInterval,
        @DefaultValue List<String> peers,
        @DefaultValue("false") boolean seedCompat,
        @DefaultValue("p2p-sync") String topic,
        @DefaultValue("1MB") DataSize maxMessageSize,
        @DefaultValue("100") int rateLimit,
        @DefaultValue("60s") Duration rateWindow,
        @DefaultValue("256") int maxInboundConnections,
        @DefaultValue("16") int maxGuestConnections,
        @DefaultValue("10s") Duration guestGracePeriod,
        @DefaultValue("256") int maxInboundStreams,
        @DefaultValue("4MB") DataSize maxQueuedPerPeer) {

    public LiveSettings {
        peers = peers == null ? List.of() : List.copyOf(peers);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("p2psync.libp2p.port must be 0..65535");
        }
        if (!tcp && !quic) {
            throw new IllegalArgumentException("p2psync.libp2p.tcp and p2psync.libp2p.quic are both off; switch one on, "
                    + "or the whole live network off with p2psync.libp2p.enabled=false");
        }
        if (quicIdleTimeout == null || quicIdleTimeout.toMillis() < 300) {
            throw new IllegalArgumentException("p2psync.libp2p.quic-idle-timeout must be at least 300ms");
        }
        if (rateLimit < 1 || rateWindow == null || rateWindow.isNegative() || rateWindow.isZero()) {
            throw new IllegalArgumentException("p2psync.libp2p.rate-limit and rate-window must be positive");
        }
        if (maxInboundConnections < 1 || maxGuestConnections < 0 || maxGuestConnections >= maxInboundConnections) {
            throw new IllegalArgumentException("p2psync.libp2p.max-guest-connections must be 0 or more and below "
                    + "max-inbound-connections, which must be positive");
        }
        if (guestGracePeriod == null || guestGracePeriod.isNegative() || guestGracePeriod.isZero()) {
            throw new IllegalArgumentException("p2psync.libp2p.guest-grace-period must be positive");
        }
        if (maxInboundStreams < 1 || maxInboundStreams > 1024) {
            throw new IllegalArgumentException("p2psync.libp2p.max-inbound-streams must be 1..1024");
        }
        if (maxQueuedPerPeer == null || maxQueuedPerPeer.toBytes() < 1 || maxQueuedPerPeer.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("p2psync.libp2p.max-queued-per-peer must be 1B..2GB");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("p2psync.libp2p.topic must not be blank");
        }
    }

    /** The listen multiaddrs of the host: TCP first, then QUIC, as switched on. */
    List<String> listenAddresses() {
        String ip = (host.contains(":") ? "/ip6/" : "/ip4/") + host;
        List<String> out = new java.util.ArrayList<>();
        if (tcp) {
            out.add(ip + "/tcp/" + port);
        }
        if (quic) {
            out.add(ip + "/udp/" + port + "/quic-v1");
        }
        return out;
    }
}
