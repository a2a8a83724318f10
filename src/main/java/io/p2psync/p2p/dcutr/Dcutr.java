package io.p2psync.p2p.dcutr;

import io.p2psync.p2p.core.IpScope;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.multistream.MultistreamException;
import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both sides of DCUtR (libp2p/specs relay/DCUtR.md) on a {@link Host}.
 *
 * <p>When a relayed connection comes in (this side is the spec's B, the peer A dialled through a relay), this side
 * opens {@code /libp2p/dcutr} on it, sends CONNECT with its addresses, takes A's CONNECT, measures the round trip,
 * sends SYNC, waits half the round trip and dials A's addresses; A dials this side's addresses as soon as SYNC
 * arrives. The dials start from the port each side named in its CONNECT, so that through NATs that keep source
 * ports they meet as one TCP simultaneous open. As the spec says, A is the initiator of multistream-select and Noise
 * on the new connection, whoever's dial made it, and B the responder. Whatever direct connection comes up first
 * (one of the dials, or A's dial landing on B's listener where no NAT is in between) is kept, every other attempt is
 * dropped, and the relayed connection is closed after {@link #RELAYED_CLOSE_GRACE} if a direct connection is still
 * there then, once the streams still open on it have ended. B tries {@link #MAX_ATTEMPTS} times in all, each with a fresh exchange on the stream of the first (spec
 * step 6), or on a new stream if A ended that one; A answers exchanges on a stream until B ends it.
 *
 * <p>A message that is malformed, longer than 4 KiB, of the wrong type, or a CONNECT with no address this side can
 * dial ends the exchange with a logged line and a reset stream; the connections stay as they were. A
 * {@code /libp2p/dcutr} stream on a direct connection is refused the same way.
 */
public final class Dcutr implements ProtocolHandler, ConnectionListener {

    public static final String PROTOCOL_ID = "/libp2p/dcutr";
    /** Exchanges B runs over one relayed connection before it gives up (the spec's one try and two retries). */
    public static final int MAX_ATTEMPTS = 3;
    /** How long one attempt may take, exchange and dials together (go- and js-libp2p use 5 s as well). */
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    /** How long the relayed connection stays after the direct one came up, for streams still on it to finish. */
    public static final Duration RELAYED_CLOSE_GRACE = Duration.ofSeconds(2);
    /** How long streams still open on the relayed connection after the grace may run before it closes anyway. */
    public static final Duration RELAYED_DRAIN_LIMIT = Duration.ofSeconds(60);
    /** Upgrades under way at once, both roles together; a further relayed connection stays relayed. */
    static final int MAX_CONCURRENT = 8;
    /** How often an attempt looks whether the peer's own dial already gave a direct connection. */
    private static final Duration DIRECT_POLL = Duration.ofMillis(50);

    private static final Logger log = LoggerFactory.getLogger(Dcutr.class);

    private final Host host;
    private final Supplier<List<Multiaddr>> observed;
    private final Function<Connection, CompletableFuture<List<Multiaddr>>> announced;
    /** {@link #ATTEMPT_TIMEOUT}, shorter only in tests that wait for attempts to fail. */
    private final Duration attemptTimeout;
    private final Set<PeerId> underway = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Dcutr(Host host, Supplier<List<Multiaddr>> observed,
            Function<Connection, CompletableFuture<List<Multiaddr>>> announced, Duration attemptTimeout) {
        this.host = host;
        this.observed = observed;
        this.announced = announced;
        this.attemptTimeout = attemptTimeout;
    }

    /**
     * Serves {@code /libp2p/dcutr} on {@code host} and starts upgrades of its inbound relayed connections, always
     * with the exchange (no unilateral upgrade).
     *
     * @param observed this node's addresses as its peers see them (identify's observed addresses), newest first;
     *     their IPs are the ones a NAT in front of this node shows
     */
    public static Dcutr install(Host host, Supplier<List<Multiaddr>> observed) {
        return install(host, observed, relayed -> CompletableFuture.completedFuture(List.of()));
    }

    /**
     * As {@link #install(Host, Supplier)}, with the spec's unilateral upgrade first: B dials the addresses
     * {@code announced} gives for the relayed connection's peer as an ordinary dial (B the initiator, A's listener the
     * responder), and runs the exchange only if there are none or none answers within {@link #ATTEMPT_TIMEOUT}.
     *
     * @param announced the peer's addresses it may be reached at directly, asked when an upgrade starts: the public
     *     ones among those it announced in identify (see {@link #publicAddresses}); an empty list or a failure for none
     */
    public static Dcutr install(Host host, Supplier<List<Multiaddr>> observed,
            Function<Connection, CompletableFuture<List<Multiaddr>>> announced) {
        return install(host, observed, announced, ATTEMPT_TIMEOUT);
    }

    /** As {@link #install(Host, Supplier)}, each attempt bounded by {@code attemptTimeout}. */
    static Dcutr install(Host host, Supplier<List<Multiaddr>> observed, Duration attemptTimeout) {
        return install(host, observed, relayed -> CompletableFuture.completedFuture(List.of()), attemptTimeout);
    }

    private static Dcutr install(Host host, Supplier<List<Multiaddr>> observed,
            Function<Connection, CompletableFuture<List<Multiaddr>>> announced, Duration attemptTimeout) {
        Dcutr dcutr = new Dcutr(host, observed, announced, attemptTimeout);
        host.addProtocol(dcutr);
        host.addConnectionListener(dcutr);
        return dcutr;
    }

    /** Starts no more upgrades; those under way end at their timeout. */
    public void close() {
        closed = true;
        host.removeConnectionListener(this);
    }

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void connected(Connection connection) {
        if (!connection.direct() && !connection.outbound() && !closed) {
            upgrade(connection).whenComplete((direct, e) -> {
                if (e instanceof RejectedExecutionException busy) {
                    log.info("dcutr: not upgrading the relayed connection with {}: {}", connection.remotePeer(),
                            busy.getMessage());
                }
            });
        }
    }

    /**
     * Upgrades {@code relayed}, a relayed connection the peer dialled, as the spec's B.
     *
     * @return completes with the direct connection, or fails once every attempt failed (the relayed connection is
     *     left open then); fails at once with a {@link RejectedExecutionException} if an upgrade with the peer is
     *     under way or too many are
     */
    public CompletableFuture<Connection> upgrade(Connection relayed) {
        PeerId peer = relayed.remotePeer();
        if (!admit(peer)) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("an upgrade with " + peer
                    + " is under way, or " + MAX_CONCURRENT + " upgrades are"));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        unilateral(relayed).whenComplete((direct, e) -> {
            if (direct != null) {
                result.complete(succeeded(relayed, direct));
            } else {
                attempt(relayed, 1, null, result);
            }
        });
        result.whenComplete((c, e) -> underway.remove(peer));
        return result;
    }

    /**
     * TCP addresses over a public IP: not loopback, link-local, private (RFC 1918, IPv6 unique-local), shared
     * (100.64/10, carrier-grade NAT), unspecified or multicast. These are the addresses worth a unilateral upgrade.
     */
    public static List<Multiaddr> publicAddresses(List<Multiaddr> addresses) {
        return HolePunchAddresses.toDial(addresses).stream().filter(IpScope::isPublic).toList();
    }

    /**
     * The spec's first step, as B: dials the peer's announced addresses as an ordinary dial. Completes with the direct
     * connection, or with null when there is nothing to dial or no dial got through (never fails).
     */
    private CompletableFuture<Connection> unilateral(Connection relayed) {
        PeerId peer = relayed.remotePeer();
        CompletableFuture<List<Multiaddr>> asked;
        try {
            asked = announced.apply(relayed);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        return within(asked, attemptTimeout)
                .handle((addresses, e) -> addresses == null ? List.<Multiaddr>of() : HolePunchAddresses.toDial(addresses))
                .thenCompose(addresses -> {
                    if (addresses.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    log.debug("dcutr: dialling {} at its announced {} before any exchange", peer, addresses);
                    return punch(peer, addresses, HolePunchAddresses.freePort(), true, null).handle((c, e) -> {
                        if (e != null) {
                            log.info("dcutr: unilateral upgrade to {} at {} failed ({}); running the exchange", peer,
                                    addresses, reason(e));
                        }
                        return c;
                    });
                });
    }

    @Override
    public void initStream(P2pStream stream) {
        HolePunchStream messages = HolePunchStream.on(stream.channel());
        if (stream.initiator()) {
            return; // the exchange is driven by attempt()
        }
        Connection relayed = Connection.of(stream.channel());
        PeerId peer = stream.remotePeer();
        if (relayed == null || relayed.direct()) {
            log.info("dcutr: refusing the stream of {}: the connection is direct already", peer);
            stream.channel().close();
            return;
        }
        if (!admit(peer)) {
            log.info("dcutr: refusing the stream of {}: an upgrade with it is under way, or {} upgrades are", peer,
                    MAX_CONCURRENT);
            stream.channel().close();
            return;
        }
        CompletableFuture<Connection> answered = new CompletableFuture<>();
        answer(relayed, messages, 1, answered);
        answered.whenComplete((direct, e) -> {
            underway.remove(peer);
            stream.channel().close();
            if (e instanceof EOFException || unwrap(e) instanceof EOFException) {
                log.debug("dcutr: {} ended the exchange: {}", peer, reason(e));
            } else if (e != null) {
                log.info("dcutr: upgrade asked by {} failed: {}", peer, reason(e));
            }
        });
    }

    /**
     * The spec's A, exchange {@code n} on the stream: answers B's CONNECT, dials on SYNC. A failed dial is followed by
     * B's next CONNECT on the same stream (spec step 6), so the stream is answered until B ends it, a direct
     * connection comes up, or B asked {@link #MAX_ATTEMPTS} times. {@code result} fails with an {@link EOFException}
     * when B ended the stream between exchanges.
     */
    private void answer(Connection relayed, HolePunchStream messages, int n, CompletableFuture<Connection> result) {
        PeerId peer = relayed.remotePeer();
        int port = HolePunchAddresses.freePort();
        // the first CONNECT follows the stream's opening; a later one follows B's own failed dials, which end at most
        // an attempt after this side's
        Duration wait = n == 1 ? attemptTimeout : attemptTimeout.multipliedBy(2);
        AtomicBoolean dialled = new AtomicBoolean();
        within(messages.next(), wait).thenCompose(connect -> {
            List<Multiaddr> theirs = expect(connect, HolePunchType.CONNECT);
            return messages.send(HolePunch.connect(ours(port)))
                    .thenCompose(v -> within(messages.next(), attemptTimeout))
                    .thenCompose(sync -> {
                        expect(sync, HolePunchType.SYNC);
                        log.debug("dcutr: SYNC from {}, dialling {} from port {}", peer, theirs, port);
                        dialled.set(true);
                        return punch(peer, theirs, port, true, messages);
                    });
        }).whenComplete((direct, e) -> {
            if (e == null) {
                result.complete(succeeded(relayed, direct));
                return;
            }
            if (dialled.get() && messages.open() && n < MAX_ATTEMPTS && relayed.isOpen() && !closed) {
                log.debug("dcutr: exchange {} asked by {} failed ({}); waiting for its next CONNECT", n, peer,
                        reason(e));
                answer(relayed, messages, n + 1, result);
            } else {
                result.completeExceptionally(unwrap(e));
            }
        });
    }

    /** The spec's B, attempt {@code n} of {@link #MAX_ATTEMPTS}, on {@code reuse} if that stream is still usable. */
    private void attempt(Connection relayed, int n, P2pStream reuse, CompletableFuture<Connection> result) {
        PeerId peer = relayed.remotePeer();
        int port = HolePunchAddresses.freePort();
        // spec step 6: a retry goes back to CONNECT on the stream of the first attempt, which keeps stream opening and
        // protocol negotiation out of the round trip it measures; a peer that ended that stream (js-libp2p answers one
        // exchange per stream) is asked on a new one
        CompletableFuture<P2pStream> opened = reuse != null && messagesOf(reuse).open()
                ? CompletableFuture.completedFuture(reuse) : host.newStream(relayed, this);
        // set once SYNC is sent: a failure after that is the dials', and the stream stays good for the next attempt
        AtomicReference<P2pStream> synced = new AtomicReference<>();
        CompletableFuture<Connection> tried = opened.thenCompose(stream -> {
            HolePunchStream messages = messagesOf(stream);
            long sent = System.nanoTime();
            return messages.send(HolePunch.connect(ours(port)))
                    .thenCompose(v -> within(messages.next(), attemptTimeout))
                    .thenCompose(connect -> {
                        List<Multiaddr> theirs = expect(connect, HolePunchType.CONNECT);
                        long halfRtt = (System.nanoTime() - sent) / 2;
                        log.debug("dcutr: CONNECT from {} after {} ms, dialling {} from port {}", peer,
                                halfRtt * 2 / 1_000_000, theirs, port);
                        return messages.send(HolePunch.sync())
                                .thenRun(() -> synced.set(stream))
                                .thenCompose(v -> CompletableFuture.supplyAsync(() -> null, after(halfRtt)))
                                .thenCompose(v -> punch(peer, theirs, port, false, null));
                    })
                    .whenComplete((c, e) -> {
                        if (e != null && synced.get() == null) {
                            stream.channel().close(); // an exchange that broke off leaves the stream in no known state
                        }
                    });
        });
        tried.whenComplete((direct, e) -> {
            P2pStream stream = synced.get();
            if (e == null) {
                closeQuietly(stream);
                result.complete(succeeded(relayed, direct));
                return;
            }
            Optional<Connection> direct2 = host.directConnection(peer);
            if (direct2.isPresent()) {
                closeQuietly(stream);
                result.complete(succeeded(relayed, direct2.get()));
            } else if (n < MAX_ATTEMPTS && relayed.isOpen() && !closed && !givesNoHope(unwrap(e))) {
                log.info("dcutr: attempt {} of {} with {} failed ({}); trying again", n, MAX_ATTEMPTS, peer, reason(e));
                attempt(relayed, n + 1, stream, result);
            } else {
                closeQuietly(stream);
                log.info("dcutr: upgrade of the relayed connection with {} failed after {} attempts: {}", peer, n,
                        reason(e));
                result.completeExceptionally(unwrap(e));
            }
        });
    }

    private static HolePunchStream messagesOf(P2pStream stream) {
        return stream.channel().pipeline().get(HolePunchStream.class);
    }

    private static void closeQuietly(P2pStream stream) {
        if (stream != null) {
            stream.channel().close();
        }
    }

    /**
     * Dials every address of {@code peer} at once from {@code port}; completes with the first direct connection, be it
     * one of these dials or the peer's own dial that came in, and drops the other dials. Fails with a
     * {@link TimeoutException} when none came up within the attempt bound ({@link #ATTEMPT_TIMEOUT}), or when
     * {@code exchange} (if not null) ended and the dials under way then brought none: the peer gave up on this attempt.
     */
    private CompletableFuture<Connection> punch(PeerId peer, List<Multiaddr> addresses, int port, boolean initiator,
            HolePunchStream exchange) {
        CompletableFuture<Connection> first = new CompletableFuture<>();
        List<CompletableFuture<Connection>> dials = addresses.stream()
                .map(a -> host.dialForHolePunch(a, peer, port, initiator)).toList();
        for (CompletableFuture<Connection> dial : dials) {
            dial.whenComplete((c, e) -> {
                if (c != null && !first.complete(c) && first.getNow(null) != c) {
                    c.close(); // another attempt won, or this one is over
                } else if (e != null && dials.stream().allMatch(CompletableFuture::isCompletedExceptionally)) {
                    // every dial failed; the peer's own dial may still come in until the timeout
                    log.debug("dcutr: every dial to {} failed, the last with {}", peer, e.toString());
                }
            });
        }
        if (exchange != null) {
            // The peer ended the exchange: it has a direct connection, or gave up. The connection it has may be one of
            // these dials, up at its end a moment before it is up at this one; so the dials settle first (or the
            // attempt's bound passes), and one that got through is the answer. Deciding at once would close that
            // connection as a loser, while the peer keeps it as the winner and lets the relayed one go.
            exchange.channel().closeFuture().addListener(f -> CompletableFuture
                    .allOf(dials.toArray(CompletableFuture[]::new))
                    .whenComplete((all, e) -> first.complete(dials.stream()
                            .filter(d -> d.isDone() && !d.isCompletedExceptionally()).map(CompletableFuture::join)
                            .findFirst().or(() -> host.directConnection(peer)).orElse(null))));
        }
        watchForDirect(peer, first);
        first.completeOnTimeout(null, attemptTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return first.thenApply(c -> {
            dials.forEach(d -> d.completeExceptionally(new CancellationException()));
            if (c == null) {
                throw new CompletionException(new TimeoutException("no direct connection within " + attemptTimeout));
            }
            return c;
        });
    }

    /** Completes {@code first} with a direct connection to {@code peer} as soon as the host has one. */
    private void watchForDirect(PeerId peer, CompletableFuture<Connection> first) {
        if (first.isDone()) {
            return;
        }
        Optional<Connection> direct = host.directConnection(peer);
        if (direct.isPresent()) {
            first.complete(direct.get());
            return;
        }
        CompletableFuture.runAsync(() -> watchForDirect(peer, first), after(DIRECT_POLL.toNanos()));
    }

    /**
     * Closes {@code relayed} after {@link #RELAYED_CLOSE_GRACE}, unless by then no direct connection to the peer is
     * left ({@code direct} died and nothing replaced it): then the relayed connection is all there is, and stays.
     * Closing lets the streams still open on it end first (for at most {@link #RELAYED_DRAIN_LIMIT}), while every
     * new stream takes the direct connection.
     */
    private Connection succeeded(Connection relayed, Connection direct) {
        PeerId peer = relayed.remotePeer();
        log.info("dcutr: direct connection with {} at {}; closing the relayed one in {}", peer,
                direct.remoteAddress(), RELAYED_CLOSE_GRACE);
        CompletableFuture.runAsync(() -> {
            if (host.directConnection(peer).isPresent()) {
                // a round or transfer under way on it finishes there, unless the direct connection goes first
                relayed.closeWhenIdle(RELAYED_DRAIN_LIMIT, () -> host.directConnection(peer).isPresent());
            } else if (relayed.isOpen()) {
                log.info("dcutr: the direct connection with {} closed within {}; keeping the relayed one", peer,
                        RELAYED_CLOSE_GRACE);
            }
        }, after(RELAYED_CLOSE_GRACE.toNanos()));
        return direct;
    }

    private List<Multiaddr> ours(int port) {
        return HolePunchAddresses.advertised(port, observed.get(), host.listenAddresses());
    }

    /** The dialable addresses of a message of the {@code expected} type. @throws DcutrException otherwise */
    private static List<Multiaddr> expect(HolePunch message, HolePunchType expected) {
        if (message.type() != expected) {
            throw new DcutrException("expected " + expected + " but got " + message.type());
        }
        if (expected == HolePunchType.SYNC) {
            return List.of();
        }
        List<Multiaddr> dialable = HolePunchAddresses.toDial(message.addresses());
        if (dialable.isEmpty()) {
            throw new DcutrException("a CONNECT without an address to dial (got " + message.addresses() + ")");
        }
        return dialable;
    }

    private boolean admit(PeerId peer) {
        synchronized (underway) {
            if (closed || underway.size() >= MAX_CONCURRENT) {
                return false;
            }
            return underway.add(peer);
        }
    }

    private static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout) {
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Executor after(long nanos) {
        return CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A peer that broke the protocol, or does not speak it, is not asked again. A stream that ended (an
     * {@link EOFException}) or an exchange that timed out is tried again.
     */
    private static boolean givesNoHope(Throwable failure) {
        return failure instanceof DcutrException || failure instanceof MultistreamException;
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String reason(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof TimeoutException ? "timed out" : cause.toString();
    }
}
