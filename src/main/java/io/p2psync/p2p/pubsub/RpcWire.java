package io.p2psync.p2p.pubsub;

import com.google.protobuf.ByteString;
import io.netty.handler.codec.CorruptedFrameException;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.ControlMessage.Graft;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Converts between the generated protobuf classes and the records {@link Rpc}, {@link PubsubMessage} and
 * {@link ControlMessage}. The only place besides {@link MessageSigner} that touches {@code pb} types.
 */
final class RpcWire {

    /** Backoffs beyond this are clamped: a peer may not make us hold state for ever. */
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private RpcWire() {
    }

    static RpcProto.RPC toWire(Rpc rpc) {
        RpcProto.RPC.Builder out = RpcProto.RPC.newBuilder();
        for (Rpc.Subscription s : rpc.subscriptions()) {
            out.addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(s.subscribe()).setTopicid(s.topic()));
        }
        for (PubsubMessage m : rpc.messages()) {
            out.addPublish(toWire(m));
        }
        if (!rpc.control().isEmpty()) {
            out.setControl(toWire(rpc.control()));
        }
        return out.build();
    }

    /**
     * The wire form of one message. {@code data} is always written, even when empty, as go and js do: the
     * signature covers the encoding, so field presence must match the signer's.
     */
    static RpcProto.Message toWire(PubsubMessage m) {
        RpcProto.Message.Builder out = RpcProto.Message.newBuilder().setTopic(m.topic());
        if (m.from() != null) {
            out.setFrom(ByteString.copyFrom(m.from().bytes()));
        }
        out.setData(ByteString.copyFrom(m.data()));
        if (m.seqno() != null) {
            out.setSeqno(ByteString.copyFrom(m.seqno()));
        }
        if (m.signature() != null) {
            out.setSignature(ByteString.copyFrom(m.signature()));
        }
        if (m.key() != null) {
            out.setKey(ByteString.copyFrom(m.key()));
        }
        return out.build();
    }

    private static RpcProto.ControlMessage toWire(ControlMessage c) {
        RpcProto.ControlMessage.Builder out = RpcProto.ControlMessage.newBuilder();
        for (IHave ihave : c.ihave()) {
            RpcProto.ControlIHave.Builder b = RpcProto.ControlIHave.newBuilder().setTopicID(ihave.topic());
            ihave.ids().forEach(id -> b.addMessageIDs(ByteString.copyFrom(id.bytes())));
            out.addIhave(b);
        }
        for (IWant iwant : c.iwant()) {
            RpcProto.ControlIWant.Builder b = RpcProto.ControlIWant.newBuilder();
            iwant.ids().forEach(id -> b.addMessageIDs(ByteString.copyFrom(id.bytes())));
            out.addIwant(b);
        }
        for (Graft graft : c.graft()) {
            out.addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(graft.topic()));
        }
        for (Prune prune : c.prune()) {
            RpcProto.ControlPrune.Builder b = RpcProto.ControlPrune.newBuilder().setTopicID(prune.topic());
            prune.peers().forEach(p -> b.addPeers(RpcProto.PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(p.bytes()))));
            prune.backoff().ifPresent(d -> b.setBackoff(d.toSeconds()));
            out.addPrune(b);
        }
        return out.build();
    }

    /**
     * Reads a decoded RPC. Absent optional fields stay absent ({@code null} in {@link PubsubMessage}) so that
     * the signature policy can reject them with a reason; ids that are empty and PX entries that are not
     * peer ids are skipped, since they name nothing.
     *
     * @throws CorruptedFrameException if a message's {@code from} is present but is not a peer id
     */
    static Rpc fromWire(RpcProto.RPC rpc) {
        List<Rpc.Subscription> subscriptions = new ArrayList<>();
        for (RpcProto.RPC.SubOpts s : rpc.getSubscriptionsList()) {
            if (s.hasTopicid()) {
                subscriptions.add(new Rpc.Subscription(s.getSubscribe(), s.getTopicid()));
            }
        }
        List<PubsubMessage> messages = new ArrayList<>();
        for (RpcProto.Message m : rpc.getPublishList()) {
            messages.add(fromWire(m));
        }
        ControlMessage control = rpc.hasControl() ? fromWire(rpc.getControl()) : ControlMessage.EMPTY;
        return new Rpc(subscriptions, messages, control);
    }

    static PubsubMessage fromWire(RpcProto.Message m) {
        PeerId from = null;
        if (m.hasFrom()) {
            try {
                from = new PeerId(m.getFrom().toByteArray());
            } catch (IllegalArgumentException e) {
                throw new CorruptedFrameException("message 'from' is not a peer id: " + e.getMessage());
            }
        }
        return new PubsubMessage(
                from,
                m.hasSeqno() ? m.getSeqno().toByteArray() : null,
                m.getTopic(),
                m.getData().toByteArray(),
                m.hasSignature() ? m.getSignature().toByteArray() : null,
                m.hasKey() ? m.getKey().toByteArray() : null);
    }

    private static ControlMessage fromWire(RpcProto.ControlMessage c) {
        List<IHave> ihave = new ArrayList<>();
        for (RpcProto.ControlIHave h : c.getIhaveList()) {
            ihave.add(new IHave(h.getTopicID(), ids(h.getMessageIDsList())));
        }
        List<IWant> iwant = new ArrayList<>();
        for (RpcProto.ControlIWant w : c.getIwantList()) {
            iwant.add(new IWant(ids(w.getMessageIDsList())));
        }
        List<Graft> graft = new ArrayList<>();
        for (RpcProto.ControlGraft g : c.getGraftList()) {
            graft.add(new Graft(g.getTopicID()));
        }
        List<Prune> prune = new ArrayList<>();
        for (RpcProto.ControlPrune p : c.getPruneList()) {
            prune.add(new Prune(p.getTopicID(), pxPeers(p.getPeersList()), backoff(p)));
        }
        return new ControlMessage(ihave, iwant, graft, prune);
    }

    private static List<MessageId> ids(List<ByteString> raw) {
        List<MessageId> ids = new ArrayList<>(raw.size());
        for (ByteString id : raw) {
            if (!id.isEmpty()) {
                ids.add(new MessageId(id.toByteArray()));
            }
        }
        return ids;
    }

    private static List<PeerId> pxPeers(List<RpcProto.PeerInfo> infos) {
        List<PeerId> peers = new ArrayList<>();
        for (RpcProto.PeerInfo info : infos) {
            try {
                peers.add(new PeerId(info.getPeerID().toByteArray()));
            } catch (IllegalArgumentException e) {
                // not a peer id: nothing to exchange
            }
        }
        return peers;
    }

    private static Optional<Duration> backoff(RpcProto.ControlPrune p) {
        if (!p.hasBackoff()) {
            return Optional.empty();
        }
        long seconds = p.getBackoff(); // uint64: a "negative" long is a huge unsigned value
        return Optional.of(seconds < 0 || seconds > MAX_BACKOFF.toSeconds() ? MAX_BACKOFF : Duration.ofSeconds(seconds));
    }
}
