package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answering side of {@code /p2p-sync/msg/1.0.0}: checks each request and answers it. Every frame must come
 * from an authorized device; a message must be signed by its origin, which must be authorized too; anything
 * refused is answered {@code REFUSED} with a status and reason, logged, and leaves nothing stored.
 */
class MessageIntake {

    private static final Logger log = LoggerFactory.getLogger(MessageIntake.class);

    /** How far ahead of this device's clock a message handed to it to hold may be dated. */
    static final java.time.Duration MAX_CLOCK_SKEW = java.time.Duration.ofMinutes(10);

    private final PeerId self;
    private final Predicate<PeerId> authorized;
    private final MessageRepository messages;
    private final RouteCache routes;
    private final NetworkView view;
    private final QueryRateLimiter queries;
    private final MessagingSettings settings;
    private final MessageEvents events;
    private final Supplier<Optional<Host>> host;
    private final Courier courier;
    private final Clock clock;
    private final FileReceiver files;
    private final FileRelay relay;
    private final java.util.function.BiFunction<PeerId, FileReceipt, Frame> receipts;

    MessageIntake(PeerId self, Predicate<PeerId> authorized, MessageRepository messages, RouteCache routes,
                  NetworkView view, QueryRateLimiter queries, MessagingSettings settings, MessageEvents events,
                  Supplier<Optional<Host>> host, Courier courier, Clock clock, FileReceiver files, FileRelay relay,
                  java.util.function.BiFunction<PeerId, FileReceipt, Frame> receipts) {
        this.files = files;
        this.relay = relay;
        this.receipts = receipts;
        this.self = self;
        this.authorized = authorized;
        this.messages = messages;
        this.routes = routes;
        this.view = view;
        this.queries = queries;
        this.settings = settings;
        this.events = events;
        this.host = host;
        this.courier = courier;
        this.clock = clock;
    }

    /** The answer to {@code request} from {@code caller} (the connection's authenticated peer). */
    Frame serve(PeerId caller, Frame request) {
        if (!authorized.test(caller)) {
            return refuse(caller, request, 403, "not-authorized", caller + " is not an authorized device of this one");
        }
        try {
            return switch (request.type()) {
                case CHAT_MESSAGE -> chat(caller, request.message().toDomain());
                case STORE_MESSAGE -> store(caller, request.message().toDomain());
                case ACK -> ack(caller, request, request.ack().toDomain());
                case PEER_QUERY -> query(caller, PeerId.parse(request.target()));
                case NETWORK_STATE -> state(caller, request.state());
                case FILE_CHUNK -> files.serve(caller, request.chunk());
                case STORE_FILE_CHUNK -> request.chunk().manifest().toDomain().to().equals(self)
                        ? files.serve(caller, request.chunk()) // held for this very device: it is delivered
                        : relay.serve(caller, request.chunk());
                case FILE_RECEIPT -> receipts.apply(caller, request.receipt().toDomain());
                case PEER_FOUND, STORED, REFUSED, CHUNK_ACK -> refuse(caller, request, 400, "not-a-request",
                        request.type() + " is an answer, not a request");
            };
        } catch (IllegalArgumentException e) {
            return refuse(caller, request, 400, "malformed", e.getMessage());
        }
    }

    /** A message for this device. */
    private Frame chat(PeerId caller, SignedMessage m) {
        if (!m.to().equals(self)) {
            return refuse(caller, Frame.chat(m), 421, "misdirected", "the message is for " + m.to() + ", not this device");
        }
        Frame problem = check(caller, m);
        if (problem != null) {
            return problem;
        }
        long now = clock.millis();
        boolean relayed = !caller.equals(m.from());
        if (messages.insertIn(m, now, relayed ? DeliveryPath.STORE_AND_FORWARD : DeliveryPath.DIRECT,
                relayed ? caller : null)) {
            log.info("messaging: message {} from {}{}", m.id(), m.from(), relayed ? " relayed by " + caller : "");
            messages.find(m.from(), m.id(), "in").ifPresent(events::arrived);
            return Frame.ack(Ack.sign(courier.identity(), m, now));
        }
        // the same id again: the first copy stays, and is acknowledged as it was stored
        Optional<SignedMessage> stored = messages.signed(m.from(), m.id(), "in");
        if (stored.isPresent() && !stored.get().sameAs(m)) {
            return refuse(caller, Frame.chat(m), 409, "id-taken", "another message from " + m.from() + " with id " + m.id() + " was received");
        }
        long receivedAt = messages.find(m.from(), m.id(), "in").map(x -> x.receivedAt().toEpochMilli()).orElse(now);
        return Frame.ack(Ack.sign(courier.identity(), m, receivedAt));
    }

    /** A message to hold for another device. */
    private Frame store(PeerId caller, SignedMessage m) {
        if (m.to().equals(self)) {
            return chat(caller, m); // held for this very device: it is delivered
        }
        if (!authorized.test(m.to())) {
            return refuse(caller, Frame.store(m), 403, "not-authorized", "the target " + m.to()
                    + " is not an authorized device of this one");
        }
        Frame problem = check(caller, m);
        if (problem != null) {
            return problem;
        }
        // a relay keeps a message until its origin's time plus retention: one dated outside that window would be
        // answered STORED and then dropped unforwarded, or held past the retention
        long now = clock.millis();
        if (m.createdAt() < now - settings.retention().toMillis() || m.createdAt() > now + MAX_CLOCK_SKEW.toMillis()) {
            return refuse(caller, Frame.store(m), 400, "out-of-time", "message " + m.id() + " is dated "
                    + java.time.Instant.ofEpochMilli(m.createdAt()) + ", outside what a relay holds (now - retention"
                    + " to now + " + MAX_CLOCK_SKEW.toMinutes() + " min)");
        }
        if (messages.countHeldFor(m.to()) >= settings.relayQuota()) {
            return refuse(caller, Frame.store(m), 507, "quota", "this device holds " + settings.relayQuota()
                    + " messages for " + m.to() + " already (p2psync.messaging.relay-quota)");
        }
        if (messages.insertRelay(m, caller)) {
            log.info("messaging: holding message {} from {} for {}", m.id(), m.from(), m.to());
        } else {
            // the id is held already: STORED only if it is this message, else the sender must not think it is kept
            Optional<SignedMessage> held = messages.signed(m.from(), m.id(), "relay");
            if (held.isPresent() && !held.get().sameAs(m)) {
                return refuse(caller, Frame.store(m), 409, "id-taken", "another message with id " + m.id()
                        + " is held here");
            }
        }
        courier.forwardHeld(m.to());
        return Frame.stored(m.id());
    }

    /** Size, origin, signature: what every message must pass. Null if it passes. */
    private Frame check(PeerId caller, SignedMessage m) {
        if (m.contentBytes() > settings.maxContentSize().toBytes()) {
            return refuse(caller, Frame.chat(m), 413, "too-large", "the content has " + m.contentBytes()
                    + " bytes, more than the " + settings.maxContentSize().toBytes() + " allowed (p2psync.messaging.max-content-size)");
        }
        if (!authorized.test(m.from())) {
            return refuse(caller, Frame.chat(m), 403, "not-authorized", "the origin " + m.from()
                    + " is not an authorized device of this one");
        }
        if (!m.verifies()) {
            return refuse(caller, Frame.chat(m), 401, "bad-signature", "the signature is not " + m.from() + "'s over message " + m.id());
        }
        return null;
    }

    /** A target's receipt, carried back by a relay (or sent again by the target). */
    private Frame ack(PeerId caller, Frame request, Ack ack) {
        if (!ack.to().equals(self)) {
            return refuse(caller, request, 421, "misdirected", "the ack is for " + ack.to() + ", not this device");
        }
        Optional<SignedMessage> sent = messages.signed(self, ack.id(), "out");
        if (sent.isEmpty()) {
            return refuse(caller, request, 404, "unknown-message", "this device sent no message " + ack.id());
        }
        if (!ack.acknowledges(sent.get())) {
            return refuse(caller, request, 401, "bad-signature", "the ack is not " + sent.get().to() + "'s receipt of " + ack.id());
        }
        courier.delivered(sent.get(), ack, DeliveryPath.STORE_AND_FORWARD, caller);
        return request;
    }

    private Frame query(PeerId caller, PeerId target) {
        if (!queries.tryAcquire(caller)) {
            return refuse(caller, Frame.query(target), 429, "rate-limited", "more than " + settings.queryRateLimit()
                    + " PEER_QUERY per " + settings.queryRateWindow() + " (p2psync.messaging.query-rate-limit)");
        }
        boolean connected = host.get().map(h -> h.isConnected(target)).orElse(false);
        boolean canRelay = settings.relayQuota() > 0 && authorized.test(target);
        // the devices connected here that said (NETWORK_STATE) they reach the target: the caller may go through them
        List<Frame.Reacher> reachers = view.peersConnectedTo(target).stream()
                .filter(p -> !p.equals(caller) && !p.equals(target) && !p.equals(self) && authorized.test(p))
                .sorted(Comparator.comparing(PeerId::toString))
                .limit(Frame.MAX_REACHERS)
                .map(p -> new Frame.Reacher(p.toString(), routes.addresses(p)))
                .toList();
        return Frame.found(new Frame.PeerFound(target.toString(), routes.addresses(target), connected, canRelay, reachers));
    }

    private Frame state(PeerId caller, Frame.NetworkState state) {
        Set<PeerId> connected = state.connected().stream().limit(NetworkView.MAX_REPORTED).map(PeerId::parse)
                .collect(Collectors.toSet());
        view.update(caller, connected);
        routes.learn(caller, state.listenAddrs().stream().limit(RouteCache.MAX_PER_DEVICE).filter(Courier::isMultiaddr).toList(), "network-state",
                clock.millis());
        return Frame.state(courier.networkState());
    }

    private Frame refuse(PeerId caller, Frame request, int status, String reason, String detail) {
        log.info("messaging: refused a {} from {}: {} {}: {}", request.type(), caller, status, reason, detail);
        return Frame.refused(status, reason, detail);
    }
}
