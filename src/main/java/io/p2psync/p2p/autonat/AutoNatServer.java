package io.p2psync.p2p.autonat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.Channel;
import io.p2psync.p2p.autonat.AutoNatMessage.Dial;
import io.p2psync.p2p.autonat.AutoNatMessage.DialResponse;
import io.p2psync.p2p.core.LogSummary;
import io.p2psync.p2p.core.IpScope;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of AutoNAT v1 ({@value #PROTOCOL_ID}): a peer that asks is dialled back, on a new TCP connection of
 * its own, at the addresses of its request that are on the IP it is seen at (the spec's rule against using this node
 * to flood a third party), at most {@link #MAX_DIALS} of them at once, each within {@link #DIAL_TIMEOUT}. It is
 * answered OK with the address that worked (the connection is closed right away), or E_DIAL_ERROR when none did.
 *
 * <p>Refused with E_DIAL_REFUSED: a peer that is not among those served ({@code serves}), a request over a relayed
 * connection (its IP is the relay's), one without an address on the peer's IP, more than {@link #MAX_PER_PEER}
 * dialled requests of one peer in {@link #PER_PEER_WINDOW}, or more than {@link #MAX_CONCURRENT} requests dialling
 * at once. A protobuf that is no Dial, or names another peer than the connection's, gets E_BAD_REQUEST. A message that
 * is not a protobuf, longer than {@link AutoNatMessage#MAX_MESSAGE_SIZE}, or late is dropped and the stream closed.
 * Every refusal and drop is logged, at most one line per peer and kind every 10 s. Thread-safe.
 */
public final class AutoNatServer implements ProtocolHandler {

    public static final String PROTOCOL_ID = "/libp2p/autonat/1.0.0";
    /** How long one dial-back may take, TCP connect and Noise handshake together. */
    public static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
    /** How long after the stream opens the request must have come. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Addresses dialled back for one request, the first ones on the peer's IP. */
    static final int MAX_DIALS = 4;
    /** Requests being dialled at once, from all peers together. */
    static final int MAX_CONCURRENT = 4;
    /** Dialled requests one peer may make per {@link #PER_PEER_WINDOW}. */
    static final int MAX_PER_PEER = 6;
    static final Duration PER_PEER_WINDOW = Duration.ofMinutes(1);
    /** Peers whose recent requests are remembered; beyond this, the oldest are forgotten. */
    private static final int MAX_REMEMBERED_PEERS = 1024;

    private static final Logger log = LoggerFactory.getLogger(AutoNatServer.class);

    private final Host host;
    private final Predicate<PeerId> serves;
    private final boolean privateAddresses;
    private final Clock clock;
    private final AtomicInteger dialling = new AtomicInteger();
    private final Map<PeerId, Deque<Instant>> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Deque<Instant>> eldest) {
            return size() > MAX_REMEMBERED_PEERS;
        }
    };
    private final LogSummary<String> refusals;

    /**
     * @param serves the peers this node dials back; any other gets E_DIAL_REFUSED
     * @param privateAddresses also dial back a peer seen at a private, loopback or link-local IP. Off, such a peer
     *     gets E_DIAL_REFUSED: reaching it there (a device on the same LAN) says nothing of whether anyone outside
     *     its NAT can, which is what the asker wants to know. On only for networks that are all one's own (tests)
     */
    public AutoNatServer(Host host, Predicate<PeerId> serves, Clock clock, boolean privateAddresses) {
        this.host = host;
        this.serves = serves;
        this.privateAddresses = privateAddresses;
        this.clock = clock;
        this.refusals = new LogSummary<>(clock, Duration.ofSeconds(10), 64);
    }

    /** Makes a server and serves {@value #PROTOCOL_ID} on {@code host} with it. */
    public static AutoNatServer install(Host host, Predicate<PeerId> serves) {
        return install(host, serves, false);
    }

    /** As {@link #install(Host, Predicate)}; see the constructor for {@code privateAddresses}. */
    public static AutoNatServer install(Host host, Predicate<PeerId> serves, boolean privateAddresses) {
        AutoNatServer server = new AutoNatServer(host, serves, Clock.systemUTC(), privateAddresses);
        host.addProtocol(server);
        return server;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        if (stream.initiator()) {
            return; // this node's own requests are the client's
        }
        AutoNatStream messages = AutoNatStream.on(stream.channel(), REQUEST_TIMEOUT);
        PeerId peer = stream.remotePeer();
        messages.received().whenComplete((bytes, failed) -> {
            if (failed != null) {
                drop(peer, stream.channel(), failed.toString());
                return;
            }
            AutoNatMessage request;
            try {
                request = AutoNatMessage.fromWire(bytes);
            } catch (AutoNatException bad) {
                if (bad.getCause() instanceof InvalidProtocolBufferException) {
                    drop(peer, stream.channel(), bad.getMessage());
                } else {
                    answer(messages, peer, DialResponse.error(ResponseStatus.E_BAD_REQUEST, bad.getMessage()));
                }
                return;
            }
            handle(messages, peer, Connection.of(stream.channel()), request).thenAccept(r -> answer(messages, peer, r));
        });
    }

    private CompletableFuture<DialResponse> handle(AutoNatStream messages, PeerId peer, Connection connection,
            AutoNatMessage request) {
        if (!(request instanceof Dial dial)) {
            return done(ResponseStatus.E_BAD_REQUEST, "expected a DIAL");
        }
        if (!dial.peer().equals(peer)) {
            return done(ResponseStatus.E_BAD_REQUEST, "the DIAL names " + dial.peer() + ", not the peer that asks");
        }
        if (connection == null || !connection.direct()) {
            return done(ResponseStatus.E_DIAL_REFUSED, "not over a relayed connection");
        }
        if (!serves.test(peer)) {
            return done(ResponseStatus.E_DIAL_REFUSED, "not a peer this node dials back");
        }
        if (!privateAddresses && !IpScope.isPublic(connection.remoteAddress())) {
            return done(ResponseStatus.E_DIAL_REFUSED, "the peer is seen at a private address ("
                    + connection.remoteAddress() + "): a dial-back from inside its network says nothing of outside");
        }
        List<Multiaddr> addresses = DialBackAddresses.toDial(dial.addresses(), connection.remoteAddress(), MAX_DIALS);
        if (addresses.isEmpty()) {
            return done(ResponseStatus.E_DIAL_REFUSED, "no TCP address on the IP the peer is seen at ("
                    + connection.remoteAddress() + ")");
        }
        if (!withinBudget(peer)) {
            return done(ResponseStatus.E_DIAL_REFUSED, "more than " + MAX_PER_PEER + " requests in "
                    + PER_PEER_WINDOW);
        }
        if (dialling.incrementAndGet() > MAX_CONCURRENT) {
            dialling.decrementAndGet();
            return done(ResponseStatus.E_DIAL_REFUSED, "busy: " + MAX_CONCURRENT + " dial-backs under way");
        }
        return dialBack(peer, addresses).whenComplete((r, e) -> dialling.decrementAndGet());
    }

    /** Dials every address at once; OK with the first that proves to be {@code peer}, E_DIAL_ERROR if none does. */
    private CompletableFuture<DialResponse> dialBack(PeerId peer, List<Multiaddr> addresses) {
        CompletableFuture<DialResponse> first = new CompletableFuture<>();
        AtomicInteger failed = new AtomicInteger();
        for (Multiaddr address : addresses) {
            host.dialSeparately(address, peer).orTimeout(DIAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((c, e) -> {
                        if (c != null) {
                            c.channel().close(); // it answered, which is all the peer wanted to know
                            if (first.complete(DialResponse.ok(address))) {
                                log.debug("autonat: dialled {} back at {}", peer, address);
                            }
                        } else if (failed.incrementAndGet() == addresses.size()) {
                            log.debug("autonat: could not dial {} back at {}: {}", peer, addresses, e.toString());
                            first.complete(DialResponse.error(ResponseStatus.E_DIAL_ERROR, "no answer at "
                                    + addresses));
                        }
                    });
        }
        return first;
    }

    private boolean withinBudget(PeerId peer) {
        Instant now = clock.instant();
        synchronized (recent) {
            Deque<Instant> times = recent.computeIfAbsent(peer, p -> new ArrayDeque<>());
            while (!times.isEmpty() && !times.peekFirst().isAfter(now.minus(PER_PEER_WINDOW))) {
                times.removeFirst();
            }
            if (times.size() >= MAX_PER_PEER) {
                return false;
            }
            times.addLast(now);
            return true;
        }
    }

    private void answer(AutoNatStream messages, PeerId peer, DialResponse response) {
        if (response.status() != ResponseStatus.OK) {
            long count = refusals.event(peer + " " + response.status());
            if (count > 0) {
                log.info("autonat: answered {} to {}: {} ({} such since the last line)", response.status(), peer,
                        response.text(), count);
            }
        }
        Channel channel = messages.channel();
        // half-closed, so the peer reads the answer to its end; closed for good if the peer does not close its side
        messages.send(response).whenComplete((v, e) -> P2pStream.halfClose(channel).addListener(f -> channel
                .eventLoop().schedule(() -> channel.close(), REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    private void drop(PeerId peer, Channel stream, String why) {
        long count = refusals.event(peer + " drop");
        if (count > 0) {
            log.info("autonat: dropping the request of {}: {} ({} such since the last line)", peer, why, count);
        }
        stream.close();
    }

    private static CompletableFuture<DialResponse> done(ResponseStatus status, String text) {
        return CompletableFuture.completedFuture(DialResponse.error(status, text));
    }
}
