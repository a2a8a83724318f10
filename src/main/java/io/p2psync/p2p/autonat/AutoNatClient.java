package io.p2psync.p2p.autonat;

import io.p2psync.p2p.autonat.AutoNatMessage.Dial;
import io.p2psync.p2p.autonat.AutoNatMessage.DialResponse;
import io.p2psync.p2p.core.IpScope;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.identify.IdentifyProtocol;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of AutoNAT v1: asks peers to dial this node back and keeps its {@link Reachability}.
 *
 * <p>Only chosen peers are asked ({@code chosen}: in the node, its authorized devices and the peers the user named,
 * the same peers whose word on this node's observed address is taken), over a direct connection, and only those whose
 * identify lists {@value AutoNatServer#PROTOCOL_ID}. Each round asks up to {@link #PEERS_PER_ROUND} of them at once
 * and feeds their verdicts to a {@link ReachabilityTracker}. Rounds run every {@code retryInterval} while the state is
 * UNKNOWN or the last round contradicted it, every {@code interval} otherwise, and at the next check (every
 * {@code retryInterval}) when the IPs this node listens or is observed at changed; a chosen peer that connects while
 * the state is UNKNOWN is asked {@link #SETTLE} later. Thread-safe.
 */
public final class AutoNatClient implements ConnectionListener, AutoCloseable {

    /** Peers asked in one round. */
    public static final int PEERS_PER_ROUND = 3;
    /** How long a request may wait for its answer: the server's dial-backs and some slack. */
    public static final Duration RESPONSE_TIMEOUT = AutoNatServer.DIAL_TIMEOUT.plusSeconds(10);
    /** After a chosen peer connects, how long the client waits before asking it (its identify runs meanwhile). */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** Addresses named in one request. */
    static final int MAX_ADDRESSES = 8;

    private static final Logger log = LoggerFactory.getLogger(AutoNatClient.class);

    private final Host host;
    private final IdentifyProtocol identify;
    private final Predicate<PeerId> chosen;
    private final boolean privateAddresses;
    private final Supplier<List<Multiaddr>> listen;
    private final Duration interval;
    private final Duration retryInterval;
    private final Clock clock;
    private final ReachabilityTracker tracker = new ReachabilityTracker();
    private final AtomicBoolean roundRunning = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "autonat");
        t.setDaemon(true);
        return t;
    });
    private volatile Consumer<Reachability> onChange = state -> { };
    private volatile Instant lastRound = Instant.MIN;
    private volatile Set<String> lastIps = Set.of();
    private volatile boolean lastRoundAgreed = true;
    private volatile boolean closed;

    private AutoNatClient(Host host, IdentifyProtocol identify, Predicate<PeerId> chosen, boolean privateAddresses,
            Supplier<List<Multiaddr>> listen, Duration interval, Duration retryInterval, Clock clock) {
        if (interval.isNegative() || interval.isZero() || retryInterval.isNegative() || retryInterval.isZero()) {
            throw new IllegalArgumentException("the AutoNAT intervals must be positive");
        }
        this.host = host;
        this.identify = identify;
        this.chosen = chosen;
        this.privateAddresses = privateAddresses;
        this.listen = listen;
        this.interval = interval;
        this.retryInterval = retryInterval;
        this.clock = clock;
    }

    /**
     * Starts a client on {@code host}: listens to its connections and checks every {@code retryInterval} whether a
     * round is due.
     *
     * @param identify the host's identify protocol: its observed addresses are where this node asks to be dialled,
     *     and a peer's answer says whether it serves AutoNAT
     * @param chosen the peers that may be asked
     * @param interval how often the state is checked again once known
     * @param retryInterval how often it is checked while UNKNOWN, and how often the addresses are looked at
     */
    public static AutoNatClient start(Host host, IdentifyProtocol identify, Predicate<PeerId> chosen,
            Duration interval, Duration retryInterval) {
        return start(host, identify, chosen, false, host::listenAddresses, interval, retryInterval);
    }

    /**
     * As {@link #start(Host, IdentifyProtocol, Predicate, Duration, Duration)}, with the listen addresses to ask about
     * given by {@code listen} rather than the host's; with {@code privateAddresses}, also asks peers connected at a
     * private, loopback or link-local IP. Off, only peers this node reaches at a public IP are asked: one on the same
     * LAN could dial it back there whether or not anyone outside can. On only for networks that are all one's own
     * (tests).
     */
    public static AutoNatClient start(Host host, IdentifyProtocol identify, Predicate<PeerId> chosen,
            boolean privateAddresses, Supplier<List<Multiaddr>> listen, Duration interval, Duration retryInterval) {
        AutoNatClient client = new AutoNatClient(host, identify, chosen, privateAddresses, listen, interval,
                retryInterval, Clock.systemUTC());
        host.addConnectionListener(client);
        client.timer.scheduleWithFixedDelay(client::check, retryInterval.toMillis(), retryInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        return client;
    }

    /** Calls {@code listener} with the new state whenever it changes, on the thread that ended the round: keep it short. */
    public void onChange(Consumer<Reachability> listener) {
        this.onChange = listener;
    }

    public Reachability reachability() {
        return tracker.state();
    }

    @Override
    public void connected(Connection connection) {
        if (connection.direct() && tracker.state() == Reachability.UNKNOWN && !closed
                && chosen.test(connection.remotePeer())) {
            timer.schedule(this::check, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Starts a round if one is due (see the class comment). */
    private void check() {
        try {
            Set<String> ips = ips();
            Duration wait = tracker.state() == Reachability.UNKNOWN || !lastRoundAgreed ? retryInterval : interval;
            boolean due = !lastRound.plus(wait).isAfter(clock.instant());
            if (due || !ips.equals(lastIps)) {
                round();
            }
        } catch (RuntimeException e) {
            log.warn("autonat: check failed", e);
        }
    }

    /**
     * Asks up to {@link #PEERS_PER_ROUND} chosen peers with a direct connection at once, and takes their verdicts.
     * Completes with the state after the round, at once if a round is under way or no peer can be asked.
     */
    public CompletableFuture<Reachability> round() {
        if (closed || !roundRunning.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(tracker.state());
        }
        List<Connection> candidates = new ArrayList<>(host.connections().stream()
                .filter(c -> c.direct() && c.isOpen() && chosen.test(c.remotePeer())
                        && (privateAddresses || IpScope.isPublic(c.remoteAddress()))).toList());
        Collections.shuffle(candidates);
        List<Connection> asked = new ArrayList<>();
        Set<PeerId> seen = new java.util.HashSet<>();
        for (Connection c : candidates) {
            if (asked.size() < PEERS_PER_ROUND && seen.add(c.remotePeer())) {
                asked.add(c);
            }
        }
        if (asked.isEmpty()) {
            roundRunning.set(false);
            return CompletableFuture.completedFuture(tracker.state());
        }
        lastIps = ips();
        List<CompletableFuture<ProbeOutcome>> probes = asked.stream().map(this::probe).toList();
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            Reachability before = tracker.state();
            boolean agreed = true;
            for (CompletableFuture<ProbeOutcome> probe : probes) {
                ProbeOutcome outcome = probe.join();
                log.debug("autonat: {} says {} {}", outcome.peer(), outcome.verdict(), outcome.reason());
                tracker.record(outcome.verdict());
                if (before != Reachability.UNKNOWN && outcome.verdict() != ProbeOutcome.Verdict.NONE
                        && (outcome.verdict() == ProbeOutcome.Verdict.REACHABLE) != (before == Reachability.PUBLIC)) {
                    agreed = false;
                }
            }
            boolean answered = probes.stream().anyMatch(p -> p.join().verdict() != ProbeOutcome.Verdict.NONE);
            if (answered) {
                lastRound = clock.instant();
            }
            lastRoundAgreed = agreed;
            roundRunning.set(false);
            Reachability after = tracker.state();
            if (after != before) {
                log.info("autonat: this node is {} now (was {}), as {} answered", after, before,
                        probes.stream().map(p -> p.join().peer() + " " + p.join().verdict()).toList());
                Consumer<Reachability> listener = onChange;
                try {
                    listener.accept(after);
                } catch (RuntimeException failed) {
                    log.warn("autonat: reachability listener failed", failed);
                }
            }
            return after;
        });
    }

    /**
     * Asks the peer at the other end of {@code connection} to dial this node back: first its identify (which also
     * refreshes this node's observed address and says whether the peer serves AutoNAT), then a Dial with this node's
     * observed IPs on its listen ports and its listen addresses. Never fails: a problem is a {@link ProbeOutcome}
     * without a verdict.
     */
    public CompletableFuture<ProbeOutcome> probe(Connection connection) {
        PeerId peer = connection.remotePeer();
        return host.newStream(connection, identify).thenCompose(identify::identify).thenCompose(info -> {
            if (!info.protocols().contains(AutoNatServer.PROTOCOL_ID)) {
                return CompletableFuture.completedFuture(ProbeOutcome.none(peer, "it does not serve AutoNAT"));
            }
            List<Multiaddr> addresses = DialBackAddresses.toAsk(listen.get(), identify.observedAddresses(),
                    MAX_ADDRESSES);
            if (addresses.isEmpty()) {
                return CompletableFuture.completedFuture(ProbeOutcome.none(peer, "no TCP address to be dialled at"));
            }
            return ask(connection, addresses);
        }).exceptionally(e -> ProbeOutcome.none(peer, e.toString()));
    }

    private CompletableFuture<ProbeOutcome> ask(Connection connection, List<Multiaddr> addresses) {
        PeerId peer = connection.remotePeer();
        CompletableFuture<AutoNatStream> opened = new CompletableFuture<>();
        ProtocolHandler requester = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(AutoNatServer.PROTOCOL_ID);
            }

            @Override
            public void initStream(P2pStream stream) {
                opened.complete(AutoNatStream.on(stream.channel(), RESPONSE_TIMEOUT));
            }
        };
        return host.newStream(connection, requester).thenCompose(stream -> opened).thenCompose(messages -> messages
                .send(new Dial(host.peerId(), addresses))
                .thenCompose(v -> messages.received())
                .whenComplete((bytes, e) -> messages.channel().close())
                .thenApply(bytes -> {
                    AutoNatMessage answer = AutoNatMessage.fromWire(bytes);
                    if (!(answer instanceof DialResponse response)) {
                        return ProbeOutcome.none(peer, "it answered with a DIAL");
                    }
                    return switch (response.status()) {
                        case OK -> new ProbeOutcome(peer, ProbeOutcome.Verdict.REACHABLE, response.address(),
                                response.text());
                        case E_DIAL_ERROR -> new ProbeOutcome(peer, ProbeOutcome.Verdict.UNREACHABLE, Optional.empty(),
                                response.text());
                        default -> ProbeOutcome.none(peer, response.status() + " " + response.text());
                    };
                }));
    }

    /** The IPs this node listens at and peers observe it at: a change is worth a new round. */
    private Set<String> ips() {
        Set<String> ips = new TreeSet<>();
        List<Multiaddr> all = new ArrayList<>(listen.get());
        all.addAll(identify.observedAddresses());
        for (Multiaddr a : all) {
            DialBackAddresses.ip(a).map(InetAddress::getHostAddress).ifPresent(ips::add);
        }
        return Set.copyOf(ips);
    }

    @Override
    public void close() {
        closed = true;
        host.removeConnectionListener(this);
        timer.shutdownNow();
    }
}
