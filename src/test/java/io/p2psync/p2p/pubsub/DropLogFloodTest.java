package io.p2psync.p2p.pubsub;

import io.p2psync.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A peer sends thousands of tiny RPCs that are all dropped (real TCP on 127.0.0.1): every drop is counted, but
 * the log gets a first line and then a summary per interval, not a line per drop.
 */
class DropLogFloodTest {

    private static final String TOPIC = "t";
    private static final int RPCS = 5_000;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger routerLog = (Logger) LoggerFactory.getLogger(GossipRouter.class);
    private final AtomicInteger drops = new AtomicInteger();
    private GossipRouter router;
    private Host victim;
    private Host sender;

    @BeforeEach
    void captureLog() {
        lines.start();
        routerLog.addAppender(lines);
    }

    @AfterEach
    void close() {
        routerLog.detachAppender(lines);
        if (router != null) {
            router.close();
        }
        if (victim != null) {
            victim.close();
        }
        if (sender != null) {
            sender.close();
        }
    }

    @Test
    void dropsFromAnUnknownPeerAreCountedEachAndLoggedAsSummaries() throws Exception {
        PrivateKey unknown = PrivateKey.generate();
        start(peer -> false);

        flood(unknown);

        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0).getFormattedMessage()).contains(unknown.peerId().toString(), "UNAUTHORIZED_PEER");

        clock.advance(Duration.ofSeconds(11));
        router.heartbeat();
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(1).getFormattedMessage()).contains(unknown.peerId().toString(), "UNAUTHORIZED_PEER",
                String.valueOf(RPCS - 1));
    }

    @Test
    void unsignedMessagesFromAnAuthorizedPeerAreCountedEachAndLoggedAsSummaries() throws Exception {
        PrivateKey known = PrivateKey.generate();
        start(known.peerId()::equals);

        flood(known);

        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0).getFormattedMessage()).contains(known.peerId().toString(), "INVALID_SIGNATURE");
    }

    @Test
    void dropsOfDifferentKindsFromOnePeerEachGetTheirFirstLine() {
        PrivateKey known = PrivateKey.generate();
        router = GossipRouter.builder(PrivateKey.generate(), (peer, ids) -> new CompletableFuture<>()).clock(clock)
                .dropListener(drop -> drops.incrementAndGet()).build();
        router.subscribe(TOPIC, (from, m) -> new String(m.data(), StandardCharsets.UTF_8).startsWith("bad")
                        ? MessageValidator.Validation.<PubsubMessage>reject("bad-signature", "entry " + m.data().length)
                        : MessageValidator.Validation.<PubsubMessage>reject("malformed", "not JSON"),
                (m, accepted) -> { });
        MessageSigner author = new MessageSigner(known);

        for (int i = 0; i < 100; i++) {
            String data = (i % 2 == 0 ? "bad " : "junk ") + i;
            router.handleRpc(known.peerId(), Rpc.ofMessages(List.of(author.sign(TOPIC, data.getBytes(StandardCharsets.UTF_8), i))));
        }

        assertThat(drops.get()).isEqualTo(100);
        assertThat(warnings()).extracting(ILoggingEvent::getFormattedMessage)
                .satisfiesExactlyInAnyOrder(line -> assertThat(line).contains("bad-signature: entry"),
                        line -> assertThat(line).contains("malformed: not JSON"));
    }

    private void start(Predicate<PeerId> peerFilter) {
        Host[] self = new Host[1];
        router = GossipRouter.builder(PrivateKey.generate(), (peer, ids) -> self[0].newStream(peer, ids.toArray(String[]::new)))
                .clock(clock)
                .peerFilter(peerFilter)
                .dropListener(drop -> drops.incrementAndGet())
                .build();
        router.subscribe(TOPIC, m -> { });
        victim = Host.builder().listen("/ip4/127.0.0.1/tcp/0").protocol(new GossipsubProtocol(router)).start();
        self[0] = victim;
    }

    /** Sends {@link #RPCS} RPCs of one unsigned message each and waits until every one was dropped. */
    private void flood(PrivateKey key) throws Exception {
        sender = Host.builder().privateKey(key).protocol(rawMeshsub()).start();
        sender.dial(victim.listenAddresses().get(0).withPeerId(victim.peerId())).get(20, TimeUnit.SECONDS);
        P2pStream stream = sender.newStream(victim.peerId(), GossipsubProtocol.MESHSUB_V11).get(20, TimeUnit.SECONDS);
        byte[] rpc = RpcProto.RPC.newBuilder().addPublish(RpcProto.Message.newBuilder().setTopic(TOPIC)
                .setData(ByteString.copyFromUtf8("x"))).build().toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        UnsignedVarint.write(rpc.length, frame);
        frame.writeBytes(rpc);
        ByteBuf all = Unpooled.buffer();
        for (int i = 0; i < RPCS; i++) {
            all.writeBytes(frame.toByteArray());
        }
        stream.channel().writeAndFlush(all).sync();
        await().atMost(Duration.ofSeconds(30)).until(() -> drops.get() >= RPCS);
        assertThat(drops.get()).isEqualTo(RPCS);
    }

    private List<ILoggingEvent> warnings() {
        return lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    private static ProtocolHandler rawMeshsub() {
        return new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return GossipsubProtocol.PROTOCOL_IDS;
            }

            @Override
            public void initStream(P2pStream stream) {
                // frames are written by hand
            }
        };
    }
}
