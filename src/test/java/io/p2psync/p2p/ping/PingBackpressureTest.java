package io.p2psync.p2p.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A peer with a throwaway key opens a ping stream, never reads the echoes and keeps sending: the responder
 * must stop reading instead of queueing echoes without bound (real TCP, Noise and yamux on 127.0.0.1).
 */
class PingBackpressureTest {

    private static final int SENT_BYTES = 8 << 20;
    private static final int CHUNK = 16 * 1024;
    private static final long QUEUE_BOUND = 1 << 20;

    @Test
    void responderQueuesABoundedAmountForAPeerThatNeverReadsItsEchoes() throws Exception {
        PingProtocol ping = new PingProtocol();
        List<Channel> served = new CopyOnWriteArrayList<>();
        ProtocolHandler recordingPing = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return ping.protocolIds();
            }

            @Override
            public void initStream(P2pStream stream) {
                ping.initStream(stream);
                served.add(stream.channel());
            }
        };
        ProtocolHandler neverReads = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(PingProtocol.PROTOCOL_ID);
            }

            @Override
            public void initStream(P2pStream stream) {
                stream.channel().config().setAutoRead(false);
            }
        };
        try (Host victim = Host.builder().listen("/ip4/127.0.0.1/tcp/0").protocol(recordingPing).start();
                Host attacker = Host.builder().start()) {
            attacker.dial(victim.listenAddresses().get(0).withPeerId(victim.peerId())).get(20, TimeUnit.SECONDS);
            P2pStream stream = attacker.newStream(victim.peerId(), neverReads).get(20, TimeUnit.SECONDS);

            AtomicLong accepted = new AtomicLong();
            stream.channel().eventLoop().execute(() -> {
                for (int i = 0; i < SENT_BYTES / CHUNK; i++) {
                    stream.channel().write(Unpooled.wrappedBuffer(new byte[CHUNK])).addListener(f -> {
                        if (f.isSuccess()) {
                            accepted.addAndGet(CHUNK);
                        }
                    });
                }
                stream.channel().flush();
            });
            // echoes flow until the pinging side's window is used up, with or without back-pressure
            await().atMost(Duration.ofSeconds(20)).until(() -> accepted.get() >= 256 * 1024 && !served.isEmpty());

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(queuedBytes(served.get(0))).as("echo bytes queued")
                            .isLessThan(QUEUE_BOUND));
            assertThat(accepted.get()).as("bytes the responder took in").isLessThan(SENT_BYTES);
            assertThat(served.get(0).isOpen()).isTrue();
        }
    }

    private static long queuedBytes(Channel channel) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }
}
