package io.p2psync.p2p.pubsub;

import io.p2psync.p2p.core.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code mcache} of gossipsub-v1.0.md: recent messages in history windows of one heartbeat each. The
 * newest {@code gossipWindows} windows feed IHAVE; all {@code historyLength} windows answer IWANT. Each answer
 * to a peer is counted, so a peer cannot make us resend one message more than {@code maxTransmissions} times
 * (gossipsub-v1.1.md, "Spam Protection Measures"). Not thread-safe: the router guards it.
 */
final class MessageCache {

    private record Entry(PubsubMessage message, Map<PeerId, Integer> transmissions) {
    }

    private record Slot(MessageId id, String topic) {
    }

    private final int historyLength;
    private final int gossipWindows;
    private final Map<MessageId, Entry> messages = new HashMap<>();
    /** Newest window first. */
    private final Deque<List<Slot>> windows = new ArrayDeque<>();

    MessageCache(int historyLength, int gossipWindows) {
        this.historyLength = historyLength;
        this.gossipWindows = gossipWindows;
        windows.addFirst(new ArrayList<>());
    }

    /** Adds a validated message to the current window; a message already cached is left where it is. */
    void put(MessageId id, PubsubMessage message) {
        if (messages.putIfAbsent(id, new Entry(message, new HashMap<>())) == null) {
            windows.getFirst().add(new Slot(id, message.topic()));
        }
    }

    Optional<PubsubMessage> get(MessageId id) {
        return Optional.ofNullable(messages.get(id)).map(Entry::message);
    }

    /**
     * The message for an IWANT from {@code peer}, counting the transmission.
     *
     * @return empty if the message left the cache, or {@code peer} already got it {@code maxTransmissions} times
     */
    Optional<PubsubMessage> getForPeer(MessageId id, PeerId peer, int maxTransmissions) {
        Entry entry = messages.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        int sent = entry.transmissions().merge(peer, 1, Integer::sum);
        return sent > maxTransmissions ? Optional.empty() : Optional.of(entry.message());
    }

    /** Ids of {@code topic}'s messages in the gossip windows, newest first; empty if there are none. */
    List<MessageId> gossipIds(String topic) {
        List<MessageId> ids = new ArrayList<>();
        Iterator<List<Slot>> it = windows.iterator();
        for (int i = 0; i < gossipWindows && it.hasNext(); i++) {
            for (Slot slot : it.next()) {
                if (slot.topic().equals(topic)) {
                    ids.add(slot.id());
                }
            }
        }
        return ids;
    }

    /** Opens a new window and forgets the messages of the oldest one beyond {@code historyLength}. */
    void shift() {
        windows.addFirst(new ArrayList<>());
        while (windows.size() > historyLength) {
            windows.removeLast().forEach(slot -> messages.remove(slot.id()));
        }
    }

    int size() {
        return messages.size();
    }
}
