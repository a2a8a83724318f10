package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.ControlMessage.Graft;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What the router has to say to each peer during one operation, collected so that control messages ride
 * along with messages in as few RPCs as possible (gossipsub-v1.0.md, "Control Message Piggybacking").
 * {@link #flush} splits the messages of one peer over several RPCs when they would not fit in one frame.
 * Not thread-safe: the router guards it.
 */
final class RpcBatch {

    /** Bytes counted per message for its fields besides data and topic (from, seqno, signature, tags). */
    private static final int MESSAGE_OVERHEAD_BYTES = 256;

    private static final class Pending {
        final List<Rpc.Subscription> subscriptions = new ArrayList<>();
        final List<PubsubMessage> messages = new ArrayList<>();
        final List<IHave> ihave = new ArrayList<>();
        final List<IWant> iwant = new ArrayList<>();
        final List<Graft> graft = new ArrayList<>();
        final List<Prune> prune = new ArrayList<>();
    }

    private final int messageBudgetBytes;
    private final Map<PeerId, Pending> pending = new LinkedHashMap<>();

    /** @param maxRpcBytes the frame limit; messages of one RPC stay below it minus room for the rest */
    RpcBatch(int maxRpcBytes) {
        this.messageBudgetBytes = maxRpcBytes - GossipParams.RPC_OVERHEAD_BYTES;
    }

    void subscription(PeerId peer, Rpc.Subscription s) {
        of(peer).subscriptions.add(s);
    }

    void message(PeerId peer, PubsubMessage m) {
        of(peer).messages.add(m);
    }

    void ihave(PeerId peer, IHave ihave) {
        of(peer).ihave.add(ihave);
    }

    void iwant(PeerId peer, IWant iwant) {
        of(peer).iwant.add(iwant);
    }

    void graft(PeerId peer, String topic) {
        of(peer).graft.add(new Graft(topic));
    }

    void prune(PeerId peer, Prune prune) {
        of(peer).prune.add(prune);
    }

    /** Hands every peer's RPCs to {@code send} and empties the batch. */
    void flush(BiConsumer<PeerId, Rpc> send) {
        Map<PeerId, Pending> toSend = new LinkedHashMap<>(pending);
        pending.clear();
        toSend.forEach((peer, p) -> {
            ControlMessage control = new ControlMessage(p.ihave, p.iwant, p.graft, p.prune);
            List<List<PubsubMessage>> chunks = chunks(p.messages);
            send.accept(peer, new Rpc(p.subscriptions, chunks.get(0), control));
            for (List<PubsubMessage> chunk : chunks.subList(1, chunks.size())) {
                send.accept(peer, Rpc.ofMessages(chunk));
            }
        });
    }

    private List<List<PubsubMessage>> chunks(List<PubsubMessage> messages) {
        List<List<PubsubMessage>> chunks = new ArrayList<>();
        List<PubsubMessage> current = new ArrayList<>();
        long bytes = 0;
        for (PubsubMessage m : messages) {
            long size = (long) m.size() + m.topic().length() * 3L + MESSAGE_OVERHEAD_BYTES;
            if (!current.isEmpty() && bytes + size > messageBudgetBytes) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(m);
            bytes += size;
        }
        chunks.add(current);
        return chunks;
    }

    private Pending of(PeerId peer) {
        return pending.computeIfAbsent(peer, p -> new Pending());
    }
}
