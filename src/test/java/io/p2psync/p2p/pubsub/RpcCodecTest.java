package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.pubsub.ControlMessage.Graft;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RPC frames through the real stream pipeline of {@link GossipsubProtocol}, checking every buffer is released. */
class RpcCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    private final PrivateKey key = PrivateKey.generate();
    private final PeerId remote = PrivateKey.generate().peerId();
    private final List<Rpc> received = new ArrayList<>();
    private final List<ByteBuf> written = new ArrayList<>();
    private final GossipRouter router = GossipRouter.builder(key, (peer, ids) -> new CompletableFuture<>())
            .params(GossipParams.defaults())
            .build();

    @AfterEach
    void buffersReleased() {
        assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    /** A stream with the pubsub pipeline whose RPC handler is replaced by one that records what arrives. */
    private EmbeddedChannel stream() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new GossipsubProtocol(router).initStream(new P2pStream(ch, remote, GossipsubProtocol.MESHSUB_V11, false));
        ch.pipeline().replace("pubsub-rpc-handler", "record", new io.netty.channel.SimpleChannelInboundHandler<Rpc>() {
            @Override
            protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, Rpc rpc) {
                received.add(rpc);
            }
        });
        return ch;
    }

    private byte[] encode(Rpc rpc) {
        EmbeddedChannel ch = stream();
        ch.writeOutbound(rpc);
        ByteBuf frame = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        assertThat(ch.finish()).isFalse();
        return bytes;
    }

    private Rpc roundTrip(Rpc rpc) {
        byte[] bytes = encode(rpc);
        EmbeddedChannel ch = stream();
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        written.add(in);
        ch.writeInbound(in);
        assertThat(ch.finish()).isFalse();
        assertThat(received).hasSize(1);
        return received.remove(0);
    }

    @Test
    void encodesASubscriptionAsTheSpecifiedVarintPrefixedProtobuf() {
        byte[] frame = encode(Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, "test"))));
        // length 10; RPC.subscriptions(1) { subscribe(1)=true, topicid(2)="test" }
        assertThat(HEX.formatHex(frame)).isEqualTo("0a" + "0a08" + "0801" + "120474657374");
    }

    @Test
    void encodesAMessageWithFieldsInSpecOrderAndDataAlwaysPresent() {
        PeerId from = key.peerId();
        PubsubMessage m = new PubsubMessage(from, new byte[] {0, 0, 0, 0, 0, 0, 0, 7}, "t", new byte[0], null, null);
        String hex = HEX.formatHex(RpcWire.toWire(m).toByteArray());
        String fromHex = HEX.formatHex(from.bytes());
        // from(1) data(2, empty) seqno(3) topic(4)
        assertThat(hex).isEqualTo("0a26" + fromHex + "1200" + "1a080000000000000007" + "220174");
    }

    @Test
    void roundTripsEveryPartOfAnRpc() {
        PubsubMessage signed = new MessageSigner(key).sign("p2p-sync", "hello".getBytes(StandardCharsets.UTF_8), 42);
        MessageId id = MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(signed);
        Rpc rpc = new Rpc(
                List.of(new Rpc.Subscription(true, "p2p-sync"), new Rpc.Subscription(false, "old")),
                List.of(signed),
                new ControlMessage(
                        List.of(new IHave("p2p-sync", List.of(id))),
                        List.of(new IWant(List.of(id))),
                        List.of(new Graft("p2p-sync")),
                        List.of(new Prune("p2p-sync", List.of(remote), Optional.of(Duration.ofSeconds(60))),
                                new Prune("old", List.of(), Optional.empty()))));

        assertThat(roundTrip(rpc)).isEqualTo(rpc);
    }

    @Test
    void keepsAbsentMessageFieldsAbsent() {
        PubsubMessage bare = new PubsubMessage(null, null, "t", "x".getBytes(StandardCharsets.UTF_8), null, null);

        PubsubMessage back = roundTrip(Rpc.ofMessages(List.of(bare))).messages().get(0);

        assertThat(back.from()).isNull();
        assertThat(back.seqno()).isNull();
        assertThat(back.signature()).isNull();
        assertThat(back).isEqualTo(bare);
    }

    @Test
    void decodesAFrameThatArrivesInPieces() {
        byte[] frame = encode(Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, "test"))));
        EmbeddedChannel ch = stream();
        for (byte b : frame) {
            ByteBuf piece = Unpooled.wrappedBuffer(new byte[] {b});
            written.add(piece);
            ch.writeInbound(piece);
        }
        assertThat(received).singleElement()
                .isEqualTo(Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, "test"))));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void closesTheStreamOnAFrameOverTheLimit() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new GossipsubProtocol(router).initStream(new P2pStream(ch, remote, GossipsubProtocol.MESHSUB_V11, false));
        ByteBuf huge = Unpooled.buffer();
        writeVarint(huge, router.params().maxRpcBytes() + 1);
        huge.writeZero(100);
        written.add(huge);

        ch.writeInbound(huge);

        assertThat(ch.isOpen()).isFalse();
        assertThat(received).isEmpty();
    }

    @Test
    void closesTheStreamOnAMalformedFrame() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new GossipsubProtocol(router).initStream(new P2pStream(ch, remote, GossipsubProtocol.MESHSUB_V11, false));
        // length 3, then a field tag with wire type 7, which does not exist
        ByteBuf bad = Unpooled.wrappedBuffer(HEX.parseHex("03" + "0f0102"));
        written.add(bad);

        ch.writeInbound(bad);

        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesTheStreamOnAMessageWithoutTopic() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new GossipsubProtocol(router).initStream(new P2pStream(ch, remote, GossipsubProtocol.MESHSUB_V11, false));
        // RPC.publish(2) { data(2)="x" } lacks the required topic
        ByteBuf bad = Unpooled.wrappedBuffer(HEX.parseHex("05" + "1203" + "120178"));
        written.add(bad);

        ch.writeInbound(bad);

        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void dropsPeerExchangeFieldsForAMeshsub10Peer() {
        Prune prune = new Prune("t", List.of(remote), Optional.of(Duration.ofSeconds(60)));
        EmbeddedChannel ch = new EmbeddedChannel();
        P2pStream v10 = new P2pStream(ch, remote, GossipsubProtocol.MESHSUB_V10, true);
        new GossipsubProtocol(router).initStream(v10);
        OutboundStreams streams = new OutboundStreams((peer, ids) -> CompletableFuture.completedFuture(v10),
                GossipsubProtocol.PROTOCOL_IDS, 8, 1 << 20, peer -> { });
        streams.reserve(remote);
        streams.startOpening(remote);

        streams.send(remote, Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(prune))));

        ch.runPendingTasks();
        ByteBuf frame = ch.readOutbound();
        written.add(frame);
        EmbeddedChannel reader = stream();
        reader.writeInbound(frame);
        assertThat(received).singleElement().satisfies(rpc -> assertThat(rpc.control().prune())
                .containsExactly(new Prune("t", List.of(), Optional.empty())));
    }

    private static void writeVarint(ByteBuf buf, int value) {
        while ((value & ~0x7f) != 0) {
            buf.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }
}
