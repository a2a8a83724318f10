package io.p2psync.live;

import io.p2psync.p2p.autonat.Reachability;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.relay.CircuitRelay;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.Reservation;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The automatic relay: while AutoNAT says this node is {@link Reachability#PRIVATE}, it holds reservations on up to
 * {@code max} relays picked among the peers it has a direct connection to that are chosen (authorized devices and
 * peers the user named) and list the hop protocol in identify, besides the relays of {@code relay.reserve-on}, which
 * it never touches. A picked relay whose connection is gone, or that has given no reservation for
 * {@link #GIVE_UP_AFTER}, is dropped, kept out for {@link #COOL_DOWN}, and another one picked. Once the node is not
 * PRIVATE any more, every automatic reservation is dropped. A connected peer found unusable as a relay (no hop
 * protocol, or no address to reach it again) is not asked again while that connection lasts, unless it pushes new
 * identify information ({@link #identifyPushed}), as a node does when it starts offering hop. All work runs on one
 * thread of its own.
 */
final class AutoRelay implements ConnectionListener, AutoCloseable {

    /** How often the picked relays are looked at, besides on reachability changes and connection events. */
    static final Duration REVIEW_INTERVAL = Duration.ofSeconds(10);
    /** A picked relay that gave no reservation for this long is dropped for another. */
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);
    /** How long a dropped relay is not picked again. */
    static final Duration COOL_DOWN = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(AutoRelay.class);

    private final Host host;
    private final IdentifyProtocol identify;
    private final RelayClient client;
    private final Predicate<PeerId> chosen;
    private final Set<PeerId> configured;
    private final int max;
    private final Supplier<Reachability> reachability;
    private final Runnable addressesChanged;
    private final Clock clock = Clock.systemUTC();
    /** Picked relays: the address kept, and since when. Touched on {@link #worker} only. */
    private final Map<PeerId, Picked> picked = new LinkedHashMap<>();
    private final Map<PeerId, Instant> coolingDown = new HashMap<>();
    /** Connections on which identify showed that their peer cannot be used as a relay (compared by identity). */
    private final Set<Connection> unusable = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "auto-relay");
        t.setDaemon(true);
        return t;
    });

    private record Picked(Multiaddr address, Instant since) {
    }

    /**
     * @param configured the relays of {@code relay.reserve-on}, never picked or dropped here
     * @param addressesChanged called after reservations were dropped (the circuit addresses changed)
     */
    AutoRelay(Host host, IdentifyProtocol identify, RelayClient client, Predicate<PeerId> chosen,
            Set<PeerId> configured, int max, Supplier<Reachability> reachability, Runnable addressesChanged) {
        this.host = host;
        this.identify = identify;
        this.client = client;
        this.chosen = chosen;
        this.configured = Set.copyOf(configured);
        this.max = max;
        this.reachability = reachability;
        this.addressesChanged = addressesChanged;
        host.addConnectionListener(this);
        worker.scheduleWithFixedDelay(this::review, REVIEW_INTERVAL.toMillis(), REVIEW_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Looks at the picked relays soon: after a reachability change, or a connection came or went. */
    void reviewSoon() {
        try {
            worker.execute(this::review);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing
        }
    }

    @Override
    public void connected(Connection connection) {
        if (reachability.get() == Reachability.PRIVATE && connection.direct()) {
            reviewSoon();
        }
    }

    @Override
    public void disconnected(Connection connection) {
        if (reachability.get() == Reachability.PRIVATE) {
            reviewSoon(); // it may be a picked relay's
        }
    }

    /**
     * {@code peer} pushed new identify information: it may offer hop now, so it is asked again, and at once while
     * this node needs a relay.
     */
    void identifyPushed(PeerId peer) {
        try {
            worker.execute(() -> {
                if (unusable.removeIf(c -> c.remotePeer().equals(peer)) && reachability.get() == Reachability.PRIVATE) {
                    review();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing
        }
    }

    /** The relays picked now (for tests and diagnostics). */
    Set<PeerId> relays() {
        try {
            return worker.submit(() -> Set.copyOf(picked.keySet())).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Set.of();
        }
    }

    private void review() {
        unusable.removeIf(c -> !c.isOpen());
        try {
            boolean dropped = false;
            if (reachability.get() != Reachability.PRIVATE) {
                for (PeerId relay : List.copyOf(picked.keySet())) {
                    dropped |= drop(relay, "this node is reachable");
                }
            } else {
                dropped = dropGone();
                pickMore();
            }
            if (dropped) {
                addressesChanged.run();
            }
        } catch (RuntimeException e) {
            log.warn("auto relay: review failed", e);
        }
    }

    private boolean dropGone() {
        boolean dropped = false;
        Instant now = clock.instant();
        Set<PeerId> holding = Set.copyOf(client.reservations().stream().map(Reservation::relay).toList());
        for (Map.Entry<PeerId, Picked> e : List.copyOf(picked.entrySet())) {
            PeerId relay = e.getKey();
            if (host.directConnection(relay).isEmpty()) {
                dropped |= drop(relay, "the connection to it is gone");
                coolingDown.put(relay, now);
            } else if (holding.contains(relay)) {
                picked.put(relay, new Picked(e.getValue().address(), now)); // fresh: counts from its last reservation
            } else if (!e.getValue().since().plus(GIVE_UP_AFTER).isAfter(now)) {
                dropped |= drop(relay, "no reservation for " + GIVE_UP_AFTER);
                coolingDown.put(relay, now);
            }
        }
        coolingDown.values().removeIf(since -> !since.plus(COOL_DOWN).isAfter(now));
        return dropped;
    }

    private void pickMore() {
        if (picked.size() >= max) {
            return;
        }
        List<Connection> candidates = new ArrayList<>();
        for (Connection c : host.connections()) {
            PeerId peer = c.remotePeer();
            if (c.direct() && c.isOpen() && chosen.test(peer) && !configured.contains(peer)
                    && !picked.containsKey(peer) && !coolingDown.containsKey(peer) && !unusable.contains(c)
                    && candidates.stream().noneMatch(o -> o.remotePeer().equals(peer))) {
                candidates.add(c);
            }
        }
        for (Connection c : candidates) {
            if (picked.size() >= max) {
                return;
            }
            PeerId peer = c.remotePeer();
            IdentifyInfo info;
            try {
                info = host.newStream(c, identify).thenCompose(identify::identify)
                        .get(IdentifyProtocol.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.debug("auto relay: identify of {} failed: {}", peer, e.toString());
                continue;
            }
            if (!info.protocols().contains(CircuitRelay.HOP_PROTOCOL)) {
                unusable.add(c);
                continue;
            }
            Optional<Multiaddr> address = relayAddress(c, info);
            if (address.isEmpty()) {
                unusable.add(c);
                continue;
            }
            picked.put(peer, new Picked(address.get(), clock.instant()));
            log.info("auto relay: this node is not reachable; reserving on {}", address.get());
            client.keep(address.get());
        }
    }

    /**
     * Where the relay is dialled again if the connection drops: the address this node dialled it at, or for a
     * connection the relay made, the listen address it announces on the IP it came from.
     */
    private static Optional<Multiaddr> relayAddress(Connection c, IdentifyInfo info) {
        if (c.outbound()) {
            return Optional.of(c.remoteAddress().withPeerId(c.remotePeer()));
        }
        String ip = c.remoteAddress().components().get(0).toString();
        for (byte[] bytes : info.listenAddrs()) {
            try {
                Multiaddr a = Multiaddr.fromBytes(bytes);
                if (a.components().size() == 2 && a.components().get(0).toString().equals(ip)
                        && !a.isQuic() && a.toTcpSocketAddress() instanceof InetSocketAddress) {
                    return Optional.of(a.withPeerId(c.remotePeer()));
                }
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException unreadable) {
                // a protocol this side does not know, or not TCP
            }
        }
        return Optional.empty();
    }

    private boolean drop(PeerId relay, String why) {
        Picked p = picked.remove(relay);
        if (p == null) {
            return false;
        }
        log.info("auto relay: dropping the reservation on {}: {}", p.address(), why);
        return client.release(p.address());
    }

    @Override
    public void close() {
        host.removeConnectionListener(this);
        worker.shutdownNow();
    }
}
