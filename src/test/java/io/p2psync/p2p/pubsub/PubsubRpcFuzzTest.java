package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.pubsub.ControlMessage.Graft;
import io.p2psync.p2p.pubsub.ControlMessage.IHave;
import io.p2psync.p2p.pubsub.ControlMessage.IWant;
import io.p2psync.p2p.pubsub.ControlMessage.Prune;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Pubsub RPC frames fed arbitrary and damaged bytes through the real stream pipeline of
 * {@link GossipsubProtocol} (varint framing capped at {@link GossipParams#maxRpcBytes()}, {@link RpcCodec}).
 * Whatever arrives, the only failures are the framing's {@link TooLongFrameException} and the codec's
 * {@link CorruptedFrameException}, every buffer is released, each decoded RPC re-encodes to a frame that
 * decodes to the same RPC, and a router handed the decoded RPCs never throws.
 */
class PubsubRpcFuzzTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String TOPIC = "p2p-sync";
    private static final PrivateKey REMOTE_KEY = PrivateKey.fromSeed(new byte[32]);
    private static final PeerId REMOTE = REMOTE_KEY.peerId();
    private static final GossipParams PARAMS = GossipParams.defaults();

    @Property(tries = 1000)
    void anyFrameDecodesToAnRpcOrIsRefused(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        receive(bytes, chunk);
    }

    @Property(tries = 1000)
    void aDamagedFrameDecodesToAnRpcOrIsRefused(@ForAll("damagedFrames") Mutant mutant,
            @ForAll @IntRange(min = 1, max = 256) int chunk) {
        receive(mutant.bytes(), chunk);
    }

    /** Well-formed RPCs with odd content (unknown topics, foreign and unsigned messages, any control) reach the router. */
    @Property(tries = 500)
    void aRouterTakesAnyWellFormedRpc(@ForAll("rpcs") List<Rpc> rpcs) {
        GossipRouter router = router();
        for (Rpc rpc : rpcs) {
            Rpc decoded = decode(encode(rpc));
            assertThatCode(() -> router.handleRpc(REMOTE, decoded)).doesNotThrowAnyException();
        }
        assertThatCode(router::heartbeat).doesNotThrowAnyException();
    }

    @Test
    void aFrameClaimingGigabytesIsRefusedBeforeItsBytesArrive() {
        Received r = receive(HEX.parseHex("ffffffff07" + "0a02"), 16);
        assertThat(r.failure).isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void aFrameOneByteOverTheLimitIsRefused() {
        byte[] prefix = io.p2psync.p2p.core.UnsignedVarint.encode(PARAMS.maxRpcBytes() + 1L);
        Received r = receive(prefix, prefix.length);
        assertThat(r.failure).isInstanceOf(TooLongFrameException.class);
    }

    /**
     * Found by {@link #aDamagedFrameDecodesToAnRpcOrIsRefused}: a message whose {@code from} inlines 32 key
     * bytes that are not a curve point made the router's signature check throw, closing the stream before the
     * other messages of the RPC were looked at; the message is now dropped as badly signed.
     */
    @Test
    void aMessageFromAKeyThatIsNotACurvePointIsDroppedWithoutThrowing() {
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);
        notAPoint[31] = 0x7f;
        PeerId author = new io.p2psync.p2p.core.PublicKey(notAPoint).peerId();
        PubsubMessage forged = new PubsubMessage(author, new byte[8], TOPIC, new byte[] {1}, new byte[64], null);
        List<MessageDrop> drops = new ArrayList<>();
        GossipRouter router = GossipRouter.builder(PrivateKey.fromSeed(filled(9)), (peer, ids) -> new CompletableFuture<>())
                .params(PARAMS).dropListener(drops::add).build();
        router.subscribe(TOPIC, m -> { });
        router.peerConnected(REMOTE);

        Rpc rpc = decode(encode(Rpc.ofMessages(List.of(forged))));
        assertThatCode(() -> router.handleRpc(REMOTE, rpc)).doesNotThrowAnyException();
        assertThat(drops).extracting(MessageDrop::reason).containsExactly(MessageDrop.Reason.INVALID_SIGNATURE);
    }

    @Test
    void theUndamagedFramesDecode() {
        for (byte[] frame : validFrames()) {
            Received r = receive(frame, frame.length);
            assertThat(r.failure).isNull();
            assertThat(r.rpcs).hasSize(1);
        }
    }

    /** What one stream delivered: the RPCs, and the exception that closed it, if any. */
    private record Received(List<Rpc> rpcs, Throwable failure) {
    }

    private static Received receive(byte[] bytes, int chunk) {
        List<Rpc> rpcs = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        EmbeddedChannel ch = stream(rpcs, failure);
        List<ByteBuf> sent = new ArrayList<>();
        try {
            for (int at = 0; at < bytes.length && ch.isOpen(); at += chunk) {
                ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                sent.add(piece);
                ch.writeInbound(piece);
                ch.checkException();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("inbound buffer released").isZero());
        if (failure[0] != null) {
            assertThat(failure[0]).isInstanceOfAny(TooLongFrameException.class, CorruptedFrameException.class);
            assertThat(failure[0].getClass()).as("refused by the framing or the codec, not wrapped")
                    .isIn(TooLongFrameException.class, CorruptedFrameException.class);
        }
        for (Rpc rpc : rpcs) {
            assertThat(decode(encode(rpc))).isEqualTo(rpc);
            GossipRouter router = router();
            assertThatCode(() -> router.handleRpc(REMOTE, rpc)).doesNotThrowAnyException();
        }
        return new Received(rpcs, failure[0]);
    }

    /** A pubsub stream as {@link GossipsubProtocol} wires it, its last handler recording instead of routing. */
    private static EmbeddedChannel stream(List<Rpc> rpcs, Throwable[] failure) {
        EmbeddedChannel ch = new EmbeddedChannel();
        new GossipsubProtocol(router()).initStream(new P2pStream(ch, REMOTE, GossipsubProtocol.MESHSUB_V11, false));
        ch.pipeline().replace("pubsub-rpc-handler", "record", new SimpleChannelInboundHandler<Rpc>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Rpc rpc) {
                rpcs.add(rpc);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (failure[0] == null) {
                    failure[0] = cause;
                }
                ctx.close();
            }
        });
        return ch;
    }

    private static GossipRouter router() {
        GossipRouter router = GossipRouter.builder(PrivateKey.fromSeed(filled(9)), (peer, ids) -> new CompletableFuture<>())
                .params(PARAMS).random(new java.util.Random(1)).build();
        router.subscribe(TOPIC, m -> { });
        router.peerConnected(REMOTE);
        return router;
    }

    private static byte[] encode(Rpc rpc) {
        EmbeddedChannel ch = stream(new ArrayList<>(), new Throwable[1]);
        ch.writeOutbound(rpc);
        ByteBuf frame = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        ch.finishAndReleaseAll();
        return bytes;
    }

    private static Rpc decode(byte[] frame) {
        List<Rpc> rpcs = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        EmbeddedChannel ch = stream(rpcs, failure);
        ch.writeInbound(Unpooled.wrappedBuffer(frame));
        ch.finishAndReleaseAll();
        assertThat(failure[0]).isNull();
        assertThat(rpcs).hasSize(1);
        return rpcs.get(0);
    }

    private static byte[] filled(int value) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private static List<byte[]> validFrames() {
        MessageSigner signer = new MessageSigner(REMOTE_KEY);
        PubsubMessage signed = signer.sign(TOPIC, "{\"format\":1}".getBytes(StandardCharsets.UTF_8), 7);
        MessageId id = new MessageId(HEX.parseHex("0102030405"));
        return List.of(
                encode(new Rpc(List.of(new Rpc.Subscription(true, TOPIC)), List.of(signed), ControlMessage.EMPTY)),
                encode(Rpc.ofControl(new ControlMessage(List.of(new IHave(TOPIC, List.of(id))), List.of(new IWant(List.of(id))),
                        List.of(new Graft(TOPIC)), List.of(new Prune(TOPIC, List.of(REMOTE), Optional.of(Duration.ofSeconds(60))))))),
                encode(Rpc.ofSubscriptions(List.of(new Rpc.Subscription(false, TOPIC), new Rpc.Subscription(true, "other")))));
    }

    @Provide
    Arbitrary<List<Rpc>> rpcs() {
        Arbitrary<String> topic = Arbitraries.of(TOPIC, "other", "", "p2p-sync ");
        Arbitrary<MessageId> id = Mutations.bytes(8).filter(b -> b.length > 0).map(MessageId::new);
        Arbitrary<byte[]> optionalBytes = Arbitraries.oneOf(Arbitraries.<byte[]>just(null), Mutations.bytes(70));
        Arbitrary<PeerId> author = Arbitraries.of(REMOTE, PrivateKey.fromSeed(filled(9)).peerId(),
                PrivateKey.fromSeed(filled(3)).peerId());
        MessageSigner signer = new MessageSigner(REMOTE_KEY);
        Arbitrary<PubsubMessage> signed = Combinators.combine(topic, Mutations.bytes(20), Arbitraries.longs())
                .as(signer::sign);
        Arbitrary<PubsubMessage> forged = Combinators.combine(Arbitraries.oneOf(Arbitraries.<PeerId>just(null), author),
                optionalBytes, topic, Mutations.bytes(20), optionalBytes, optionalBytes).as(PubsubMessage::new);
        Arbitrary<PubsubMessage> message = Arbitraries.oneOf(signed, forged);
        Arbitrary<Optional<Duration>> backoff = Arbitraries.oneOf(Arbitraries.just(Optional.<Duration>empty()),
                Arbitraries.longs().between(0, 100_000).map(s -> Optional.of(Duration.ofSeconds(s))));
        Arbitrary<ControlMessage> control = Combinators.combine(
                Combinators.combine(topic, id.list().ofMaxSize(5)).as(IHave::new).list().ofMaxSize(3),
                id.list().ofMaxSize(5).map(IWant::new).list().ofMaxSize(2),
                topic.map(Graft::new).list().ofMaxSize(2),
                Combinators.combine(topic, author.list().ofMaxSize(2), backoff).as(Prune::new).list().ofMaxSize(2))
                .as(ControlMessage::new);
        Arbitrary<Rpc.Subscription> subscription = Combinators.combine(Arbitraries.of(true, false), topic)
                .as(Rpc.Subscription::new);
        Arbitrary<Rpc> rpc = Combinators.combine(subscription.list().ofMaxSize(3), message.list().ofMaxSize(3), control)
                .as(Rpc::new);
        return rpc.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(100);
    }

    @Provide
    Arbitrary<Mutant> damagedFrames() {
        List<byte[]> frames = validFrames();
        byte[] all = new byte[frames.stream().mapToInt(f -> f.length).sum()];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, all, at, f.length);
            at += f.length;
        }
        List<byte[]> seeds = new ArrayList<>(frames);
        seeds.add(all);
        return Mutations.of(seeds);
    }
}
