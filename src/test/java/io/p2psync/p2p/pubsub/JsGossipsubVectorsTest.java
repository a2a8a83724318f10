package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.pubsub.ControlMessage.Graft;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Byte-level agreement with js-libp2p-gossipsub 14.1.2: vectors made by its own code
 * ({@code make-js-vectors.mjs}) for a message it signed, an RPC it encoded, and a message this project signed
 * that its StrictSign validator accepted.
 */
class JsGossipsubVectorsTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Properties V = new Properties();

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = JsGossipsubVectorsTest.class.getResourceAsStream("/p2p/pubsub/js-gossipsub-vectors.properties")) {
            V.load(in);
        }
    }

    private static byte[] hex(String name) {
        return HEX.parseHex(V.getProperty(name));
    }

    private static PrivateKey key() {
        return PrivateKey.fromSeed(hex("seed"));
    }

    @Test
    void acceptsAMessageSignedByJsAndComputesItsId() throws Exception {
        PubsubMessage m = RpcWire.fromWire(RpcProto.Message.parseFrom(hex("message")));

        assertThat(MessageSigner.violation(m)).isEmpty();
        assertThat(m.from()).isEqualTo(PeerId.parse(V.getProperty("peerId")));
        assertThat(m.key()).as("js sends the key along").isEqualTo(key().publicKey().toProtobuf());
        assertThat(m.data()).isEqualTo(hex("data"));
        assertThat(MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(m).bytes()).isEqualTo(hex("messageId"));
    }

    @Test
    void signsTheSameBytesAsJs() {
        long seqno = ByteBuffer.wrap(hex("seqno")).getLong();
        PubsubMessage ours = new MessageSigner(key()).sign(V.getProperty("topic"), hex("data"), seqno);

        assertThat(ours.signature()).isEqualTo(hex("signature")); // Ed25519 is deterministic
        PubsubMessage withKey = new PubsubMessage(ours.from(), ours.seqno(), ours.topic(), ours.data(),
                ours.signature(), key().publicKey().toProtobuf());
        assertThat(RpcWire.toWire(withKey).toByteArray()).isEqualTo(hex("message"));
    }

    @Test
    void stillProducesTheMessageJsAccepted() {
        PubsubMessage ours = new MessageSigner(key()).sign("p2p-sync", "hello".getBytes(), 1);

        assertThat(V.getProperty("javaMessageAcceptedByJs")).isEqualTo("true");
        assertThat(RpcWire.toWire(ours).toByteArray()).isEqualTo(hex("javaMessage"));
        assertThat(MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(ours).bytes()).isEqualTo(hex("javaMessageId"));
    }

    @Test
    void decodesAnRpcEncodedByJsThroughTheStreamPipeline() throws Exception {
        List<Rpc> received = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        GossipRouter router = GossipRouter.builder(PrivateKey.generate(), (p, ids) -> new CompletableFuture<>()).build();
        new GossipsubProtocol(router).initStream(new P2pStream(ch, key().peerId(), GossipsubProtocol.MESHSUB_V11, false));
        ch.pipeline().replace("pubsub-rpc-handler", "record", new SimpleChannelInboundHandler<Rpc>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Rpc rpc) {
                received.add(rpc);
            }
        });
        EmbeddedChannel framer = new EmbeddedChannel(new ProtobufVarint32LengthFieldPrepender()); // as it-length-prefixed
        framer.writeOutbound(Unpooled.wrappedBuffer(hex("rpc")));
        ByteBuf frame = framer.readOutbound();

        ch.writeInbound(frame);

        assertThat(frame.refCnt()).isZero();
        MessageId id = new MessageId(hex("messageId"));
        PubsubMessage js = RpcWire.fromWire(RpcProto.Message.parseFrom(hex("message")));
        assertThat(received).singleElement().isEqualTo(new Rpc(
                List.of(new Rpc.Subscription(true, "p2p-sync"), new Rpc.Subscription(false, "old")),
                List.of(js),
                new ControlMessage(
                        List.of(new IHave("p2p-sync", List.of(id))),
                        List.of(new IWant(List.of(id))),
                        List.of(new Graft("p2p-sync")),
                        List.of(new Prune("old", List.of(key().peerId()), Optional.of(Duration.ofSeconds(60)))))));
        assertThat(ch.finish()).isFalse();
    }
}
