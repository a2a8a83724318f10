package io.p2psync.p2p.pubsub;

import java.util.List;
import java.util.Objects;

/**
 * One pubsub RPC frame: subscription changes, messages and gossipsub control, in the order the spec's
 * {@code RPC} protobuf lists them. Converted from and to the wire by {@code RpcWire}.
 *
 * @param subscriptions subscription announcements; empty, never null
 * @param messages full messages; empty, never null
 * @param control gossipsub control messages; {@link ControlMessage#EMPTY} when there are none
 */
record Rpc(List<Subscription> subscriptions, List<PubsubMessage> messages, ControlMessage control) {

    public static final Rpc EMPTY = new Rpc(List.of(), List.of(), ControlMessage.EMPTY);

    public Rpc {
        subscriptions = List.copyOf(subscriptions);
        messages = List.copyOf(messages);
        Objects.requireNonNull(control, "control");
    }

    public static Rpc ofMessages(List<PubsubMessage> messages) {
        return new Rpc(List.of(), messages, ControlMessage.EMPTY);
    }

    public static Rpc ofSubscriptions(List<Subscription> subscriptions) {
        return new Rpc(subscriptions, List.of(), ControlMessage.EMPTY);
    }

    public static Rpc ofControl(ControlMessage control) {
        return new Rpc(List.of(), List.of(), control);
    }

    public boolean isEmpty() {
        return subscriptions.isEmpty() && messages.isEmpty() && control.isEmpty();
    }

    /**
     * A subscription announcement ({@code RPC.SubOpts}).
     *
     * @param subscribe true to join {@code topic}, false to leave it
     * @param topic the topic id
     */
    public record Subscription(boolean subscribe, String topic) {
        public Subscription {
            Objects.requireNonNull(topic, "topic");
        }
    }
}
