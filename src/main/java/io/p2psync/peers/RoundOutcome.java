package io.p2psync.peers;

import io.p2psync.sync.RejectionReason;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one completed pull-then-push with one peer did.
 *
 * @param pulled entries pulled and applied here
 * @param pushed entries the peer accepted
 * @param conflicts entries that raised a conflict, here or there
 * @param rejected entries refused, here or there (a refusal is not a failure of the peer: retrying would not
 *     help, so the round still counts as a success)
 * @param refusals the refused entries counted by reason; empty when none were refused
 * @param held entries stored but held (not applicable yet), here or there; a hold is not a failure either
 * @param via how the peer was reached: {@code rest} or {@code libp2p} (null where not known)
 */
public record RoundOutcome(int pulled, int pushed, int conflicts, int rejected,
                           Map<RejectionReason, Integer> refusals, int held, String via) {

    public RoundOutcome {
        if (pulled < 0 || pushed < 0 || conflicts < 0 || rejected < 0 || held < 0) {
            throw new IllegalArgumentException("counts are never negative");
        }
        refusals = refusals == null || refusals.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(refusals));
    }

    /** An outcome of a round whose way to the peer is not known. */
    public RoundOutcome(int pulled, int pushed, int conflicts, int rejected, Map<RejectionReason, Integer> refusals,
                        int held) {
        this(pulled, pushed, conflicts, rejected, refusals, held, null);
    }

    /** An outcome whose refusals, if any, have no known reason. */
    public RoundOutcome(int pulled, int pushed, int conflicts, int rejected) {
        this(pulled, pushed, conflicts, rejected, rejected == 0 ? Map.of() : Map.of(RejectionReason.OTHER, rejected), 0);
    }
}
