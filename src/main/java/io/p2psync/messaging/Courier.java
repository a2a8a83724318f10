package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.PeerLocator;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The sending side: takes a message to its target along the ladder, each rung within its own time limit
 * ({@link MessagingSettings}): an open connection; the cached routes ({@code sync_peer_routes}); the addresses
 * connected devices answer to PEER_QUERY; the registry, when one is configured; and otherwise hands it
 * (STORE_MESSAGE) to connected devices that will meet the target. Each way that worked refreshes the route cache.
 * Also relays: hands on messages held for a device when it connects, and carries its ACKs back to their origin.
 * Blocking: runs on its own workers, never on the network threads.
 */
class Courier implements ConnectionListener {

    private static final Logger log = LoggerFactory.getLogger(Courier.class);

    private final DeviceIdentity identity;
    private final Predicate<PeerId> authorized;
    private final MessageRepository messages;
    private final RouteCache routes;
    private final NetworkView view;
    private final MessageProtocol protocol;
    private final MessagingSettings settings;
    private final MessageEvents events;
    private final Supplier<Optional<Host>> host;
    private final ObjectProvider<PeerLocator> registry;
    private final ExecutorService workers;
    private final Clock clock;
    private final QueryRateLimiter queries;
    /** Messages being taken along the ladder now: one attempt per message at a time. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** One hand-on of held messages per target at a time; one asked for meanwhile makes it look again. */
    private final OneRunPerPeer handOns = new OneRunPerPeer();
    private final List<java.util.function.Consumer<PeerId>> connectHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    Courier(DeviceIdentity identity, Predicate<PeerId> authorized, MessageRepository messages, RouteCache routes,
            NetworkView view, MessageProtocol protocol, MessagingSettings settings, MessageEvents events,
            Supplier<Optional<Host>> host, ObjectProvider<PeerLocator> registry, ExecutorService workers,
            QueryRateLimiter queries, Clock clock) {
        this.identity = identity;
        this.authorized = authorized;
        this.messages = messages;
        this.routes = routes;
        this.view = view;
        this.protocol = protocol;
        this.settings = settings;
        this.events = events;
        this.host = host;
        this.registry = registry;
        this.workers = workers;
        this.queries = queries;
        this.clock = clock;
    }

    DeviceIdentity identity() {
        return identity;
    }

    /** Takes the message along the ladder in the background. */
    void dispatch(SignedMessage m) {
        background(() -> deliver(m));
    }

    /**
     * One attempt along the ladder; returns the rung that delivered it, or empty if it was not delivered now
     * (then it is pending, or stored at relays).
     */
    Optional<DeliveryPath> deliver(SignedMessage m) {
        if (!inFlight.add(m.id())) {
            return Optional.empty();
        }
        try {
            return climb(m);
        } finally {
            inFlight.remove(m.id());
        }
    }

    private Optional<DeliveryPath> climb(SignedMessage m) {
        Host h = host.get().orElse(null);
        if (h == null) {
            return Optional.empty();
        }
        PeerId to = m.to();
        // 1. an open connection
        if (h.isConnected(to) && sendTo(h, m, to, DeliveryPath.DIRECT, null)) {
            return Optional.of(DeliveryPath.DIRECT);
        }
        // 2. the route cache
        long deadline = System.nanoTime() + settings.routeTimeout().toNanos();
        List<String> cached = routes.addresses(to);
        if (!cached.isEmpty() && dialAny(h, to, cached, deadline, "route-cache")
                && sendTo(h, m, to, DeliveryPath.ROUTE_CACHE, null)) {
            return Optional.of(DeliveryPath.ROUTE_CACHE);
        }
        // 3. the connected devices
        Map<PeerId, Frame.PeerFound> found = ask(h, to);
        deadline = System.nanoTime() + settings.peerQueryTimeout().toNanos();
        for (Map.Entry<PeerId, Frame.PeerFound> answer : found.entrySet()) {
            List<String> addresses = new ArrayList<>(answer.getValue().addresses());
            addresses.removeAll(cached); // tried just now
            if (addresses.isEmpty()) {
                continue;
            }
            routes.learn(to, addresses, "peer:" + answer.getKey(), clock.millis());
            if (dialAny(h, to, addresses, deadline, "peer:" + answer.getKey())
                    && sendTo(h, m, to, DeliveryPath.PEER_QUERY, answer.getKey())) {
                return Optional.of(DeliveryPath.PEER_QUERY);
            }
        }
        PeerId reacher = throughReachers(h, to, found, deadline);
        if (reacher != null && sendTo(h, m, to, DeliveryPath.PEER_QUERY, reacher)) {
            return Optional.of(DeliveryPath.PEER_QUERY);
        }
        // 4. the registry, when one is configured
        PeerLocator lookup = registry.getIfAvailable();
        if (lookup != null) {
            deadline = System.nanoTime() + settings.registryTimeout().toNanos();
            try {
                List<String> addresses = registryAddresses(lookup, to);
                if (!addresses.isEmpty()) {
                    routes.learn(to, addresses, "registry", clock.millis());
                    if (dialAny(h, to, addresses, deadline, "registry") && sendTo(h, m, to, DeliveryPath.REGISTRY, null)) {
                        return Optional.of(DeliveryPath.REGISTRY);
                    }
                }
            } catch (RuntimeException e) {
                log.info("messaging: the registry did not answer for {}: {}", to, e.toString());
            }
        }
        // 5. store and forward
        storeAtRelays(h, m, found);
        return Optional.empty();
    }

    /**
     * Connects to {@code to} by the ladder's first four rungs (open connection, route cache, PEER_QUERY, registry),
     * each within its time limit, for what needs a live connection (files); true if connected.
     */
    boolean reach(Host h, PeerId to) {
        if (h.isConnected(to)) {
            return true;
        }
        List<String> cached = routes.addresses(to);
        if (!cached.isEmpty() && dialAny(h, to, cached, System.nanoTime() + settings.routeTimeout().toNanos(), "route-cache")) {
            return true;
        }
        Map<PeerId, Frame.PeerFound> found = ask(h, to);
        long deadline = System.nanoTime() + settings.peerQueryTimeout().toNanos();
        for (Map.Entry<PeerId, Frame.PeerFound> answer : found.entrySet()) {
            List<String> addresses = new ArrayList<>(answer.getValue().addresses());
            addresses.removeAll(cached);
            if (!addresses.isEmpty()) {
                routes.learn(to, addresses, "peer:" + answer.getKey(), clock.millis());
                if (dialAny(h, to, addresses, deadline, "peer:" + answer.getKey())) {
                    return true;
                }
            }
        }
        if (throughReachers(h, to, found, deadline) != null) {
            return true;
        }
        PeerLocator lookup = registry.getIfAvailable();
        if (lookup != null) {
            try {
                List<String> addresses = registryAddresses(lookup, to);
                routes.learn(to, addresses, "registry", clock.millis());
                return dialAny(h, to, addresses, System.nanoTime() + settings.registryTimeout().toNanos(), "registry");
            } catch (RuntimeException e) {
                log.info("messaging: the registry did not answer for {}: {}", to, e.toString());
            }
        }
        return false;
    }

    /**
     * The libp2p addresses the registry last had from {@code to} (the registry client's own timeout and backoff bound
     * the question), without their {@code /p2p/} part; empty when it does not know any.
     */
    private static List<String> registryAddresses(PeerLocator registry, PeerId to) {
        return registry.locate(to).map(PeerLocator.Location::multiaddrs).orElse(List.of()).stream()
                .map(a -> Multiaddr.parse(a).withoutPeerId().toString()).toList();
    }

        /** Also told, on a courier worker, when an authorized device connects (files resume then). */
    void onConnected(java.util.function.Consumer<PeerId> hook) {
        connectHooks.add(hook);
    }

    /** Sends CHAT_MESSAGE over the open connection; true if the target acknowledged it. */
    private boolean sendTo(Host h, SignedMessage m, PeerId to, DeliveryPath path, PeerId via) {
        Frame answer;
        try {
            answer = protocol.call(h, to, Frame.chat(m), settings.answerTimeout()).get();
        } catch (ExecutionException e) {
            log.info("messaging: sending {} to {} failed: {}", m.id(), to, e.getCause().toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (answer.type() == MessageType.REFUSED) {
            Frame.Refusal r = answer.refusal();
            log.warn("messaging: {} refused message {}: {} {}: {}", to, m.id(), r.status(), r.reason(), r.detail());
            return false;
        }
        Ack ack;
        try {
            ack = answer.type() == MessageType.ACK ? answer.ack().toDomain() : null;
        } catch (IllegalArgumentException e) {
            ack = null;
        }
        if (ack == null || !ack.acknowledges(m)) {
            log.warn("messaging: {} answered message {} without a valid ACK ({})", to, m.id(), answer.type());
            return false;
        }
        delivered(m, ack, path, via);
        h.connection(to).filter(Connection::outbound).ifPresent(c ->
                routes.worked(to, c.remoteAddress().withoutPeerId().toString(), path.name().toLowerCase(), clock.millis()));
        return true;
    }

    /** Records a delivery at the origin and tells the event stream; a second ACK changes nothing. */
    void delivered(SignedMessage m, Ack ack, DeliveryPath path, PeerId via) {
        if (messages.markDelivered(ack, path, via, clock.millis())) {
            log.info("messaging: message {} delivered to {} ({}{})", m.id(), m.to(), path, via == null ? "" : " via " + via);
            messages.find(m.from(), m.id(), "out").ifPresent(events::changed);
        }
    }

    /** Dials {@code to} at the first address that answers before {@code deadline} (System.nanoTime). */
    private boolean dialAny(Host h, PeerId to, List<String> addresses, long deadline, String source) {
        if (h.isConnected(to)) {
            return true;
        }
        for (String text : addresses) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Multiaddr address = Multiaddr.parse(text).withPeerId(to);
                h.dial(address).get(left, TimeUnit.NANOSECONDS);
                routes.worked(to, text, source, clock.millis());
                return true;
            } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
                log.debug("messaging: dialling {} at {} failed: {}", to, text, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** PEER_QUERY to every connected authorized device but the target; the answers, those connected to it first. */
    private Map<PeerId, Frame.PeerFound> ask(Host h, PeerId target) {
        Map<PeerId, CompletableFuture<Frame>> asked = new LinkedHashMap<>();
        for (PeerId peer : h.connectedPeers()) {
            if (!peer.equals(target) && authorized.test(peer)) {
                asked.put(peer, protocol.call(h, peer, Frame.query(target), settings.peerQueryTimeout()));
            }
        }
        try {
            CompletableFuture.allOf(asked.values().stream().map(f -> f.exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new)).get(settings.peerQueryTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the answers that came are used
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<PeerId, Frame.PeerFound> found = new LinkedHashMap<>();
        asked.entrySet().stream()
                .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                .map(e -> Map.entry(e.getKey(), e.getValue().join()))
                .filter(e -> e.getValue().type() == MessageType.PEER_FOUND)
                .sorted(Comparator.comparing(e -> !e.getValue().found().connected()))
                .forEach(e -> found.put(e.getKey(), e.getValue().found()));
        return found;
    }

    /**
     * The second half of the peer rung: the answers named devices that told the answerer (NETWORK_STATE) they are
     * connected to {@code to}; each is dialled at the addresses named, asked PEER_QUERY itself, and {@code to}
     * dialled at the addresses it answers, all before {@code deadline}. Returns the device through which
     * {@code to} was reached, or null.
     */
    private PeerId throughReachers(Host h, PeerId to, Map<PeerId, Frame.PeerFound> found, long deadline) {
        Map<PeerId, List<String>> reachers = new LinkedHashMap<>();
        PeerId self = identity.deviceId();
        for (Frame.PeerFound f : found.values()) {
            for (Frame.Reacher r : f.reachers()) {
                PeerId device;
                try {
                    device = PeerId.parse(r.device());
                } catch (IllegalArgumentException e) {
                    log.debug("messaging: a PEER_FOUND named a malformed device {}", r.device());
                    continue;
                }
                if (!device.equals(to) && !device.equals(self) && !found.containsKey(device) && authorized.test(device)) {
                    reachers.computeIfAbsent(device, d -> new ArrayList<>()).addAll(
                            r.addresses().stream().filter(Courier::isMultiaddr).limit(RouteCache.MAX_PER_DEVICE).toList());
                }
            }
        }
        for (Map.Entry<PeerId, List<String>> reacher : reachers.entrySet()) {
            PeerId device = reacher.getKey();
            if (System.nanoTime() >= deadline) {
                return null;
            }
            if (!h.isConnected(device) && !dialAny(h, device, reacher.getValue().stream().distinct().toList(), deadline,
                    "peer-found")) {
                continue;
            }
            try {
                Frame answer = protocol.call(h, device, Frame.query(to), left(deadline))
                        .get(Math.max(1, left(deadline).toMillis()), TimeUnit.MILLISECONDS);
                if (answer.type() != MessageType.PEER_FOUND) {
                    continue;
                }
                List<String> addresses = answer.found().addresses().stream().filter(Courier::isMultiaddr)
                        .limit(RouteCache.MAX_PER_DEVICE).toList();
                if (!addresses.isEmpty()) {
                    routes.learn(to, addresses, "peer:" + device, clock.millis());
                    if (dialAny(h, to, addresses, deadline, "peer:" + device)) {
                        log.info("messaging: reached {} through {}, which a peer said is connected to it", to, device);
                        return device;
                    }
                }
            } catch (ExecutionException | TimeoutException e) {
                log.debug("messaging: asking {} for {} failed: {}", device, to, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Hands the message to up to {@code relayCopies} connected authorized devices, those that said they can
     * reach or relay for the target first; the message is STORED if one took it, else it stays PENDING.
     */
    private void storeAtRelays(Host h, SignedMessage m, Map<PeerId, Frame.PeerFound> found) {
        List<PeerId> candidates = new ArrayList<>();
        found.forEach((peer, f) -> {
            if (f.canRelay()) {
                candidates.add(peer);
            }
        });
        h.connectedPeers().stream().filter(p -> !p.equals(m.to()) && authorized.test(p) && !candidates.contains(p))
                .sorted(Comparator.comparing(p -> !view.connectedOf(p).contains(m.to())))
                .forEach(candidates::add);
        List<String> holders = new ArrayList<>();
        for (PeerId relay : candidates) {
            if (holders.size() >= settings.relayCopies()) {
                break;
            }
            try {
                Frame answer = protocol.call(h, relay, Frame.store(m), settings.answerTimeout()).get();
                if (answer.type() == MessageType.STORED) {
                    holders.add(relay.toString());
                } else if (answer.type() == MessageType.ACK) {
                    return; // cannot be: a relay answers ACK only for itself
                } else if (answer.type() == MessageType.REFUSED) {
                    log.info("messaging: {} will not hold {}: {}", relay, m.id(), answer.refusal().detail());
                }
            } catch (ExecutionException e) {
                log.info("messaging: handing {} to {} failed: {}", m.id(), relay, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!holders.isEmpty()) {
            messages.markStored(m.id(), String.join(",", holders));
            log.info("messaging: {} is offline; message {} held by {}", m.to(), m.id(), holders);
            messages.find(m.from(), m.id(), "out").ifPresent(events::changed);
        } else {
            log.info("messaging: {} is not reachable and no device holds message {} for it; it waits here", m.to(), m.id());
        }
    }

    /**
     * The devices that could hold something for {@code to} while it is offline: the connected authorized devices
     * but {@code to}, those that said (NETWORK_STATE) they are connected to it first.
     */
    List<PeerId> relayCandidates(Host h, PeerId to) {
        return h.connectedPeers().stream().filter(p -> !p.equals(to) && authorized.test(p))
                .sorted(Comparator.comparing(p -> !view.connectedOf(p).contains(to)))
                .toList();
    }

    // ---- relaying

    /** Hands the messages held for {@code target} on, if connected to it, in the background. */
    void forwardHeld(PeerId target) {
        background(() -> handOn(target));
    }

    private void handOn(PeerId target) {
        Host h = host.get().orElse(null);
        if (h != null && h.isConnected(target)) {
            handOns.run(target, () -> handOnOnce(h, target));
        }
    }

    /** One pass over the messages held for {@code target}. */
    private void handOnOnce(Host h, PeerId target) {
        try {
            for (SignedMessage m : messages.heldFor(target)) {
                try {
                    Frame answer = protocol.call(h, target, Frame.chat(m), settings.answerTimeout()).get();
                    Ack ack = answer.type() == MessageType.ACK ? answer.ack().toDomain() : null;
                    if (ack != null && ack.acknowledges(m) && messages.markRelayAcked(ack, clock.millis())) {
                        log.info("messaging: handed held message {} to {}", m.id(), target);
                        returnAcks(m.from());
                    } else if (ack == null) {
                        log.info("messaging: {} did not take held message {}: {}", target, m.id(), answer.refusal());
                    }
                } catch (ExecutionException | IllegalArgumentException e) {
                    log.info("messaging: handing held message {} to {} failed: {}", m.id(), target, e.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Carries the ACKs held for {@code origin} back to it, if connected. */
    private void returnAcks(PeerId origin) {
        Host h = host.get().orElse(null);
        if (h == null || !h.isConnected(origin)) {
            return;
        }
        for (Ack ack : messages.acksFor(origin)) {
            try {
                Frame answer = protocol.call(h, origin, Frame.ack(ack), settings.answerTimeout()).get();
                if (answer.type() == MessageType.ACK
                        || answer.type() == MessageType.REFUSED && answer.refusal().isFinal()) {
                    messages.markReturned(ack); // taken, or refused for good (unknown there)
                } else {
                    log.info("messaging: {} did not take the ack of {} for now ({}); it goes again later", origin,
                            ack.id(), answer.refusal());
                }
            } catch (ExecutionException e) {
                log.info("messaging: returning the ack of {} to {} failed: {}", ack.id(), origin, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- network state and events

    /** This device's NETWORK_STATE: its listen addresses and the authorized devices it is connected to. */
    Frame.NetworkState networkState() {
        Host h = host.get().orElse(null);
        if (h == null) {
            return new Frame.NetworkState(List.of(), List.of());
        }
        return new Frame.NetworkState(h.listenAddresses().stream().map(Multiaddr::toString).toList(),
                h.connectedPeers().stream().filter(authorized).map(PeerId::toString).sorted().toList());
    }

    /** Sends NETWORK_STATE to {@code peer} and takes in its answer. */
    private void exchangeState(Host h, PeerId peer) {
        try {
            Frame answer = protocol.call(h, peer, Frame.state(networkState()), settings.answerTimeout()).get();
            if (answer.type() == MessageType.NETWORK_STATE) {
                view.update(peer, answer.state().connected().stream().map(PeerId::parse)
                        .collect(java.util.stream.Collectors.toSet()));
                routes.learn(peer, answer.state().listenAddrs().stream().limit(RouteCache.MAX_PER_DEVICE)
                        .filter(Courier::isMultiaddr).toList(), "network-state", clock.millis());
            }
        } catch (ExecutionException | IllegalArgumentException e) {
            log.debug("messaging: network state with {} failed: {}", peer, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean isMultiaddr(String text) {
        try {
            Multiaddr.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void connected(Connection connection) {
        PeerId peer = connection.remotePeer();
        if (!authorized.test(peer)) {
            return;
        }
        background(() -> {
            Host h = host.get().orElse(null);
            if (h == null) {
                return;
            }
            exchangeState(h, peer);
            for (PeerId other : h.connectedPeers()) {
                if (!other.equals(peer) && authorized.test(other)) {
                    exchangeState(h, other); // it now knows this device reaches peer
                }
            }
            // what waited for this device: messages to it (pending or with relays), messages held for it, its acks
            for (SignedMessage m : messages.undelivered(peer, true)) {
                deliver(m);
            }
            handOn(peer);
            returnAcks(peer);
            connectHooks.forEach(hook -> hook.accept(peer));
            // a device that can hold messages for others came: messages with no relay yet try the ladder again
            for (SignedMessage m : messages.undelivered(null, false)) {
                if (!m.to().equals(peer)) {
                    deliver(m);
                }
            }
        });
    }

    @Override
    public void disconnected(Connection connection) {
        PeerId peer = connection.remotePeer();
        view.forget(peer);
        queries.forget(peer);
        if (!authorized.test(peer)) {
            return;
        }
        background(() -> host.get().ifPresent(h -> {
            for (PeerId other : h.connectedPeers()) {
                if (authorized.test(other)) {
                    exchangeState(h, other);
                }
            }
        }));
    }

    /**
     * The periodic pass: pending messages try the ladder again; what outlived the retention ends; connected devices
     * get what is held for them and the acks held for them that a refusal for now kept back.
     */
    void retry() {
        long cutoff = clock.millis() - settings.retention().toMillis();
        int expired = messages.expire(cutoff);
        if (expired > 0) {
            log.info("messaging: {} messages outlived p2psync.messaging.retention", expired);
        }
        for (SignedMessage m : messages.undelivered(null, false)) {
            deliver(m);
        }
        // what a connected device should have had: messages held for it whose hand-on was cut or refused for
        // now, and acks refused for now
        Host h = host.get().orElse(null);
        if (h != null) {
            for (PeerId peer : h.connectedPeers()) {
                if (authorized.test(peer)) {
                    handOn(peer);
                    returnAcks(peer);
                }
            }
        }
    }

    private void background(Runnable task) {
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("messaging: background task failed", e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("messaging: not starting a task: shutting down");
        }
    }

    static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
