package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpcBatchTest {

    private final PeerId a = PrivateKey.generate().peerId();
    private final PeerId b = PrivateKey.generate().peerId();
    private final MessageSigner signer = new MessageSigner(PrivateKey.generate());

    private record Sent(PeerId peer, Rpc rpc) {
    }

    @Test
    void piggybacksControlOnMessagesInOneRpcPerPeer() {
        RpcBatch batch = new RpcBatch(GossipParams.defaults().maxRpcBytes());
        PubsubMessage m = signer.sign("t", new byte[] {1}, 1);
        batch.subscription(a, new Rpc.Subscription(true, "t"));
        batch.message(a, m);
        batch.graft(a, "t");
        batch.graft(b, "t");
        List<Sent> sent = new ArrayList<>();

        batch.flush((peer, rpc) -> sent.add(new Sent(peer, rpc)));

        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).rpc()).isEqualTo(new Rpc(List.of(new Rpc.Subscription(true, "t")), List.of(m),
                new ControlMessage(List.of(), List.of(), List.of(new ControlMessage.Graft("t")), List.of())));
        assertThat(sent.get(1).peer()).isEqualTo(b);
        batch.flush((peer, rpc) -> sent.add(new Sent(peer, rpc)));
        assertThat(sent).as("a flush empties the batch").hasSize(2);
    }

    @Test
    void splitsMessagesThatWouldNotFitOneFrame() {
        int maxRpcBytes = GossipParams.RPC_OVERHEAD_BYTES + 10_000;
        RpcBatch batch = new RpcBatch(maxRpcBytes);
        for (int i = 0; i < 5; i++) {
            batch.message(a, signer.sign("t", new byte[4000], i));
        }
        batch.graft(a, "t");
        List<Rpc> sent = new ArrayList<>();

        batch.flush((peer, rpc) -> sent.add(rpc));

        assertThat(sent).hasSizeGreaterThan(1);
        assertThat(sent.stream().mapToInt(r -> r.messages().size()).sum()).isEqualTo(5);
        assertThat(sent).allSatisfy(r ->
                assertThat(RpcWire.toWire(r).getSerializedSize()).isLessThanOrEqualTo(maxRpcBytes));
        assertThat(sent.get(0).control().graft()).hasSize(1);
        assertThat(sent.subList(1, sent.size())).allSatisfy(r -> assertThat(r.control().isEmpty()).isTrue());
    }
}
