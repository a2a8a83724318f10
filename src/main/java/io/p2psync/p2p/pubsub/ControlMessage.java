package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gossipsub control part of an RPC (gossipsub-v1.0.md, "Control Messages"; PRUNE extended in v1.1).
 *
 * @param ihave message ids this peer has, per topic
 * @param iwant message ids this peer asks for
 * @param graft topics where this peer added the receiver to its mesh
 * @param prune topics where this peer removed the receiver from its mesh
 */
record ControlMessage(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune) {

    public static final ControlMessage EMPTY = new ControlMessage(List.of(), List.of(), List.of(), List.of());

    public ControlMessage {
        ihave = List.copyOf(ihave);
        iwant = List.copyOf(iwant);
        graft = List.copyOf(graft);
        prune = List.copyOf(prune);
    }

    public boolean isEmpty() {
        return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty();
    }

    /** @param topic the topic the ids were seen in; @param ids recent message ids, from the gossip windows */
    public record IHave(String topic, List<MessageId> ids) {
        public IHave {
            Objects.requireNonNull(topic, "topic");
            ids = List.copyOf(ids);
        }
    }

    /** @param ids message ids to send in full */
    public record IWant(List<MessageId> ids) {
        public IWant {
            ids = List.copyOf(ids);
        }
    }

    public record Graft(String topic) {
        public Graft {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /**
     * @param topic the topic
     * @param peers peer exchange candidates (v1.1); this router sends none and does not dial received ones
     * @param backoff how long the receiver must wait before grafting again (v1.1, whole seconds on the wire);
     *     empty when the sender gave none (v1.0)
     */
    public record Prune(String topic, List<PeerId> peers, Optional<Duration> backoff) {
        public Prune {
            Objects.requireNonNull(topic, "topic");
            peers = List.copyOf(peers);
            Objects.requireNonNull(backoff, "backoff");
        }
    }
}
