package io.p2psync.live;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.p2psync.p2p.pubsub.GossipRouter;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of the live bridge, in the node's Micrometer registry (so in {@code /actuator/metrics} and
 * {@code /actuator/prometheus}): {@code p2psync.gossip.received} (messages on the topic that reached the
 * checks), {@code p2psync.gossip.dropped} tagged {@code reason} (one per {@link DropReason}, the router's own
 * drops included), {@code p2psync.gossip.published}, {@code p2psync.gossip.applied} (entries and seed changes
 * that changed this node), {@code p2psync.gossip.duplicates} (entries this node already had) and
 * {@code p2psync.gossip.outbound-resets} (gossip streams reset because their peer left more than
 * {@code max-queued-per-peer} unsent).
 */
final class LiveMetrics {

    static final String DROPPED = "p2psync.gossip.dropped";

    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Counter received;
    private final Counter published;
    private final Counter applied;
    private final Counter duplicates;
    private final MeterRegistry registry;

    LiveMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, Counter.builder(DROPPED).tag("reason", reason.code())
                    .description("gossip messages not applied, by reason").register(registry));
        }
        received = Counter.builder("p2psync.gossip.received").description("messages that reached the checks")
                .register(registry);
        published = Counter.builder("p2psync.gossip.published").description("messages published").register(registry);
        applied = Counter.builder("p2psync.gossip.applied").description("received changes applied").register(registry);
        duplicates = Counter.builder("p2psync.gossip.duplicates").description("received entries already held")
                .register(registry);
    }

    /** Counts the outbound gossip streams {@code router} resets for back-pressure, from now on. */
    void watch(GossipRouter router) {
        FunctionCounter.builder("p2psync.gossip.outbound-resets", router, GossipRouter::outboundOverflows)
                .description("gossip streams reset because the peer left too much unsent").register(registry);
    }

    void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    void received() {
        received.increment();
    }

    void published() {
        published.increment();
    }

    void applied() {
        applied(1);
    }

    void applied(int count) {
        applied.increment(count);
    }

    void duplicate() {
        duplicates(1);
    }

    void duplicates(int count) {
        duplicates.increment(count);
    }
}
