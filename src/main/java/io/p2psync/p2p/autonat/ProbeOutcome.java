package io.p2psync.p2p.autonat;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import java.util.Objects;
import java.util.Optional;

/**
 * What one peer answered when asked to dial this node back.
 *
 * @param peer the peer asked
 * @param verdict what the answer says about this node
 * @param address the address the peer dialled this node at, with {@link Verdict#REACHABLE}; empty otherwise
 * @param reason why there is no verdict, or the peer's text; empty if none
 */
public record ProbeOutcome(PeerId peer, Verdict verdict, Optional<Multiaddr> address, String reason) {

    /** What an answer says. */
    public enum Verdict {
        /** OK: the peer dialled this node back. */
        REACHABLE,
        /** E_DIAL_ERROR: the peer dialled and got no answer. */
        UNREACHABLE,
        /** Anything else (a refusal, a bad or missing answer, a peer without AutoNAT): says nothing either way. */
        NONE
    }

    public ProbeOutcome {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(address, "address");
        reason = reason == null ? "" : reason;
    }

    static ProbeOutcome none(PeerId peer, String reason) {
        return new ProbeOutcome(peer, Verdict.NONE, Optional.empty(), reason);
    }
}
