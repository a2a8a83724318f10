package io.p2psync.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * The entry counters of sync. Tags stay bounded: {@code peer} is a paired device id (a person has a few),
 * {@code reason} one of {@link RejectionReason}, {@code side} {@code here} or {@code peer}.
 * <ul>
 *   <li>{@code p2psync.entries.pulled} (peer): entries pulled from a peer and accepted here;</li>
 *   <li>{@code p2psync.entries.pushed} (peer): entries pushed to a peer and accepted there;</li>
 *   <li>{@code p2psync.entries.applied}: entries stored here from any path (pull, push, gossip), conflicts
 *       included, duplicates not;</li>
 *   <li>{@code p2psync.entries.refused} (reason, side): entries refused here, or by a peer this device pushed to.</li>
 * </ul>
 */
@Component
public class SyncMetrics {

    static final String PULLED = "p2psync.entries.pulled";
    static final String PUSHED = "p2psync.entries.pushed";
    static final String APPLIED = "p2psync.entries.applied";
    static final String REFUSED = "p2psync.entries.refused";

    private final MeterRegistry registry;
    private final Counter applied;

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.applied = Counter.builder(APPLIED).description("entries stored here, from any path").register(registry);
    }

    void pulled(String peer, int count) {
        if (count > 0) {
            Counter.builder(PULLED).tag("peer", peer).description("entries pulled and accepted here")
                    .register(registry).increment(count);
        }
    }

    void pushed(String peer, int count) {
        if (count > 0) {
            Counter.builder(PUSHED).tag("peer", peer).description("entries pushed and accepted by the peer")
                    .register(registry).increment(count);
        }
    }

    void applied(int count) {
        if (count > 0) {
            applied.increment(count);
        }
    }

    void refusedHere(RejectionReason reason) {
        refused(reason, "here");
    }

    void refusedByPeer(RejectionReason reason) {
        refused(reason, "peer");
    }

    private void refused(RejectionReason reason, String side) {
        Counter.builder(REFUSED).tag("reason", reason.code()).tag("side", side)
                .description("entries refused, by reason").register(registry).increment();
    }
}
