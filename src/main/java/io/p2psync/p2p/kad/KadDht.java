package io.p2psync.p2p.kad;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kademlia DHT node on a {@link Host}: learns peers that serve the DHT protocol from identify (their listen
 * addresses and protocols), answers DHT requests in server mode, looks up the peers nearest to a key and finds a
 * peer's addresses by its id ({@link #findPeer}), and refreshes its routing table now and then.
 *
 * <p>Peers it asks are dialled at the addresses it heard for them, without a {@code /p2p} part so the host does
 * not keep redialling them; the connection is dropped at once if another peer answers. All methods are
 * thread-safe and none blocks.
 */
public final class KadDht implements ConnectionListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KadDht.class);
    /** Prefix lengths a refresh looks up a random key for at most (deeper buckets are reached by the self lookup). */
    static final int MAX_REFRESH_PREFIX = 15;

    private final Host host;
    private final IdentifyProtocol identify;
    private final KadConfig config;
    private final RoutingTable table;
    private final AddressBook book = new AddressBook();
    private final KadProtocol protocol;
    private volatile boolean server;
    private final ScheduledExecutorService timers;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong queriesSent = new AtomicLong();

    private KadDht(Host host, IdentifyProtocol identify, KadConfig config) {
        this.host = host;
        this.identify = identify;
        this.config = config;
        this.table = new RoutingTable(host.peerId(), config.k());
        RecordStore store = new RecordStore(Clock.systemUTC(), config.recordTtl(), config.providerTtl(),
                config.maxRecords());
        KadServer answers = new KadServer(host.peerId(), host::listenAddresses, table, book, store, host::isConnected,
                config.k());
        this.protocol = new KadProtocol(config.protocolId(), answers, config.maxMessageBytes(), config.queryTimeout());
        this.server = switch (config.mode()) {
            case SERVER -> true;
            case CLIENT -> false;
            case AUTO -> !host.listenAddresses().isEmpty();
        };
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kad-" + host.peerId().toString().substring(host.peerId().toString().length() - 6));
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a DHT node on {@code host}: serves the protocol if in server mode, learns every peer that connects
     * from now on, and refreshes the routing table every {@link KadConfig#refreshInterval()}.
     *
     * @param identify the host's identify protocol, used to ask connecting peers what they serve
     */
    public static KadDht start(Host host, IdentifyProtocol identify, KadConfig config) {
        KadDht dht = new KadDht(host, identify, config);
        if (dht.server) {
            host.addProtocol(dht.protocol);
        }
        host.addConnectionListener(dht);
        host.connections().forEach(dht::connected);
        long every = config.refreshInterval().toMillis();
        if (every > 0) {
            dht.timers.scheduleWithFixedDelay(dht::refresh, every, every, TimeUnit.MILLISECONDS);
        }
        log.info("DHT {} in {} mode on {}", host.peerId(), dht.server ? "server" : "client", config.protocolId());
        return dht;
    }

    /** True if this node answers DHT requests (and announces the protocol in identify). */
    public boolean isServer() {
        return server;
    }

    /**
     * In {@code auto} mode, follows what the node learned of its own reachability (AutoNAT): a node others cannot
     * dial serves no DHT requests, so they neither put it in their tables nor wait on queries to it; once it is
     * reachable again it serves. {@code server} and {@code client} modes stay as set. The caller tells connected
     * peers (identify push), so they update their tables.
     *
     * @return true if the mode changed
     */
    public synchronized boolean reachable(boolean reachable) {
        if (config.mode() != KadMode.AUTO || reachable == server) {
            return false;
        }
        server = reachable;
        if (reachable) {
            host.addProtocol(protocol);
        } else {
            host.removeProtocol(protocol);
        }
        log.info("DHT {} now in {} mode: this node is {} from outside", host.peerId(), reachable ? "server" : "client",
                reachable ? "reachable" : "not reachable");
        return true;
    }

    public KadConfig config() {
        return config;
    }

    /** The peers in the routing table. */
    public List<PeerId> routingTablePeers() {
        return table.peers();
    }

    /** The addresses this node has heard for {@code peer} (identify, DHT answers), newest first; empty if none. */
    public List<Multiaddr> addressesOf(PeerId peer) {
        return book.get(peer);
    }

    /** Queries this node has sent since it started. */
    public long queriesSent() {
        return queriesSent.get();
    }

    /**
     * Dials the bootstrap peers (each a multiaddr with {@code /p2p/}), which the host redials when lost, then
     * refreshes the routing table through them.
     *
     * @return completes when the dials and the refresh are done, whatever their outcome
     */
    public CompletableFuture<Void> bootstrap(List<Multiaddr> peers) {
        List<CompletableFuture<?>> dials = new ArrayList<>();
        for (Multiaddr a : peers) {
            if (a.peerId().isEmpty()) {
                log.warn("not bootstrapping from {}: it has no /p2p/ peer id", a);
                continue;
            }
            a.peerId().ifPresent(p -> book.add(p, List.of(a.withoutPeerId())));
            dials.add(host.dial(a).thenCompose(this::learn).handle((c, e) -> {
                if (e != null) {
                    log.info("DHT bootstrap peer {} is not reachable: {}", a, e.toString());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).thenCompose(v -> refresh());
    }

    /**
     * Refreshes the routing table (kad-dht spec, "Bootstrap process"): a lookup of this node, then of a random key
     * in each bucket up to the deepest one that holds peers (at most prefix length {@value #MAX_REFRESH_PREFIX}).
     */
    public CompletableFuture<Void> refresh() {
        return lookup(host.peerId()).thenCompose(self -> {
            List<CompletableFuture<Lookup.Result>> more = new ArrayList<>();
            int deepest = Math.min(table.deepestBucket(), MAX_REFRESH_PREFIX);
            for (int cpl = 0; cpl <= deepest; cpl++) {
                more.add(lookup(randomPeerWithPrefix(cpl)));
            }
            return CompletableFuture.allOf(more.toArray(CompletableFuture[]::new));
        }).exceptionally(e -> {
            log.debug("DHT refresh failed: {}", e.toString());
            return null;
        });
    }

    /**
     * Finds the addresses of {@code peer}: those of its open connection's peer book entry if connected,
     * otherwise through a lookup.
     *
     * @return the peer with its addresses, or empty if the lookup ended without an answer naming it
     */
    public CompletableFuture<Optional<KadPeer>> findPeer(PeerId peer) {
        if (host.isConnected(peer) && !book.get(peer).isEmpty()) {
            return CompletableFuture.completedFuture(Optional.of(new KadPeer(peer, book.get(peer),
                    KadPeer.Connectedness.CONNECTED)));
        }
        return find(peer).thenApply(LookupResult::found);
    }

    /** A lookup of {@code peer} with its outcome, queries and the nearest peers (for tests and benchmarks). */
    public CompletableFuture<LookupResult> find(PeerId peer) {
        return runLookup(KadKey.of(peer), peer, KadMessage.findNode(peer)).thenApply(LookupResult::of);
    }

    /** The peers nearest to {@code key} that answered, nearest first, at most k. */
    public CompletableFuture<List<PeerId>> closestPeers(PeerId key) {
        return lookup(key).thenApply(Lookup.Result::closest);
    }

    private CompletableFuture<Lookup.Result> lookup(PeerId key) {
        return runLookup(KadKey.of(key), null, KadMessage.findNode(key));
    }

    private CompletableFuture<Lookup.Result> runLookup(KadKey target, PeerId wanted, KadMessage request) {
        Lookup lookup = new Lookup(target, wanted, host.peerId(), config, p -> ask(p, request));
        return lookup.run(table.closest(target, config.k()), timers, config.lookupTimeout());
    }

    /** Sends {@code request} to {@code peer} and answers the peers it names, which are booked with their addresses. */
    private CompletableFuture<List<KadPeer>> ask(PeerId peer, KadMessage request) {
        queriesSent.incrementAndGet();
        return connect(peer)
                .thenCompose(c -> host.newStream(c, protocol))
                .thenCompose(stream -> protocol.request(stream, request).whenComplete((answer, e) -> {
                    if (e == null) {
                        stream.halfClose();
                    } else {
                        stream.channel().close();
                    }
                }))
                .orTimeout(config.queryTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        log.debug("DHT query to {} failed: {}", peer,
                                cause instanceof TimeoutException ? "no answer in " + config.queryTimeout() : cause);
                        table.remove(peer);
                        throw new CompletionException(cause);
                    }
                    table.add(peer); // it answered, so it serves the DHT
                    for (KadPeer p : answer.closerPeers()) {
                        if (!p.id().equals(host.peerId())) {
                            book.add(p.id(), p.addrs());
                        }
                    }
                    return answer.closerPeers();
                });
    }

    /** The open connection to {@code peer}, or one dialled at the addresses heard for it, in turn. */
    private CompletableFuture<Connection> connect(PeerId peer) {
        Optional<Connection> open = host.connection(peer);
        if (open.isPresent()) {
            return CompletableFuture.completedFuture(open.get());
        }
        List<Multiaddr> addrs = book.get(peer);
        CompletableFuture<Connection> attempt = CompletableFuture.failedFuture(
                new IllegalStateException("no known address of " + peer));
        for (Multiaddr a : addrs) {
            attempt = attempt.exceptionallyCompose(e -> host.dial(a).thenApply(c -> {
                if (!c.remotePeer().equals(peer)) {
                    c.close();
                    throw new IllegalStateException(a + " is " + c.remotePeer() + ", not " + peer);
                }
                return c;
            }));
        }
        return attempt;
    }

    // ---- learning peers

    @Override
    public void connected(Connection connection) {
        learn(connection);
    }

    /** Asks the peer of {@code connection} what it is; one that serves this DHT protocol joins the table. */
    private CompletableFuture<Connection> learn(Connection connection) {
        PeerId peer = connection.remotePeer();
        return host.newStream(connection, identify).thenCompose(identify::identify)
                .orTimeout(IdentifyProtocol.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((info, e) -> {
                    if (e != null) {
                        log.debug("DHT cannot identify {}: {}", peer, e.toString());
                    } else {
                        learned(info);
                    }
                    return connection;
                });
    }

    /** Books what a peer says in identify: its addresses, and its place in the table if it serves this DHT. */
    public void learned(IdentifyInfo info) {
        List<Multiaddr> addrs = new ArrayList<>();
        for (byte[] a : info.listenAddrs()) {
            try {
                addrs.add(Multiaddr.fromBytes(a));
            } catch (RuntimeException unusable) {
                // a transport this node does not know; its other addresses may do
            }
        }
        book.add(info.peerId(), addrs);
        if (info.protocols().contains(config.protocolId())) {
            table.add(info.peerId());
        } else {
            table.remove(info.peerId());
        }
    }

    /** A random peer id whose key shares exactly {@code cpl} leading bits with this node's. */
    PeerId randomPeerWithPrefix(int cpl) {
        byte[] digest = new byte[32];
        while (true) {
            random.nextBytes(digest);
            byte[] multihash = new byte[34];
            multihash[0] = 0x12;
            multihash[1] = 0x20;
            System.arraycopy(digest, 0, multihash, 2, 32);
            PeerId p = new PeerId(multihash);
            if (table.self().commonPrefixLength(KadKey.of(p)) == cpl) {
                return p;
            }
        }
    }

    @Override
    public void close() {
        host.removeConnectionListener(this);
        timers.shutdownNow();
    }

    /**
     * How a lookup of one peer ended.
     *
     * @param outcome converged, found, or stopped by a limit
     * @param found the peer with the addresses an answer gave, if one named it
     * @param queries the queries sent
     * @param closest the peers nearest to it that answered
     */
    public record LookupResult(LookupOutcome outcome, Optional<KadPeer> found, int queries, List<PeerId> closest) {
        static LookupResult of(Lookup.Result r) {
            return new LookupResult(r.outcome(), r.found(), r.queries(), r.closest());
        }
    }
}
