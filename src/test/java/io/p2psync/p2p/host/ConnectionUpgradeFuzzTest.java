package io.p2psync.p2p.host;

import static io.p2psync.testing.Futures.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.yamux.YamuxHandler;
import io.p2psync.p2p.multistream.MultistreamException;
import io.p2psync.p2p.noise.NoiseException;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Edit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The whole connection upgrade (multistream {@code /noise}, the Noise handshake, multistream
 * {@code /yamux/1.0.0} inside it, the yamux session) between two real peers on {@link EmbeddedChannel}s, with
 * one buffer on its way from the dialer to the listener damaged. Since both sides are real, the damage lands
 * wherever the exchange happens to be: in a negotiation, in a handshake message or in an encrypted frame.
 * Whatever it hits, nothing escapes either pipeline, every buffer is released, and each side either upgrades
 * or fails with the refusal of the step that broke and closes its channel.
 */
class ConnectionUpgradeFuzzTest {

    private static final PrivateKey DIALER = PrivateKey.fromSeed(new byte[32]);
    private static final PrivateKey LISTENER = PrivateKey.fromSeed(new byte[] {
            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});

    @Property(tries = 200)
    void anUpgradeWithOneDamagedBufferEndsCleanly(@ForAll @IntRange(min = 0, max = 8) int damaged,
            @ForAll("edits") List<Edit> edits) {
        EmbeddedChannel dialer = new TcpLike(4001);
        EmbeddedChannel listener = new TcpLike(50123);
        CompletableFuture<Connection> dialed = new ConnectionUpgrader(DIALER, stream -> { }, YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS)
                .upgrade(dialer, true, Optional.of(LISTENER.peerId()));
        CompletableFuture<Connection> accepted = new ConnectionUpgrader(LISTENER, stream -> { }, YamuxHandler.DEFAULT_MAX_INBOUND_STREAMS)
                .upgrade(listener, false, Optional.empty());
        List<ByteBuf> delivered = new ArrayList<>();
        int[] fromDialer = {0};
        try {
            for (int round = 0; round < 20; round++) {
                boolean moved = false;
                dialer.runPendingTasks();
                for (Object msg = dialer.readOutbound(); msg != null; msg = dialer.readOutbound()) {
                    ByteBuf buf = (ByteBuf) msg;
                    if (fromDialer[0]++ == damaged) {
                        byte[] bytes = Mutations.apply(ByteBufUtil.getBytes(buf), edits);
                        buf.release();
                        buf = Unpooled.buffer(Math.max(1, bytes.length)).writeBytes(bytes);
                    }
                    moved |= deliver(buf, listener, delivered);
                }
                listener.runPendingTasks();
                for (Object msg = listener.readOutbound(); msg != null; msg = listener.readOutbound()) {
                    moved |= deliver((ByteBuf) msg, dialer, delivered);
                }
                listener.checkException();
                dialer.checkException();
                if (!moved) {
                    break;
                }
            }
            checkSide(dialed, dialer);
            checkSide(accepted, listener);
            dialer.close();
            listener.close();
            dialer.checkException();
            listener.checkException();
            assertThat(dialed.isDone()).isTrue();
            assertThat(accepted.isDone()).isTrue();
        } finally {
            dialer.finishAndReleaseAll();
            listener.finishAndReleaseAll();
        }
        assertThat(delivered).allSatisfy(b -> assertThat(b.refCnt()).as("delivered buffer released").isZero());
    }

    /** An embedded channel whose remote address is an IP socket address, as a connection's is. */
    private static final class TcpLike extends EmbeddedChannel {
        private final InetSocketAddress remote;

        TcpLike(int remotePort) {
            remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), remotePort);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }
    }

    private static boolean deliver(ByteBuf buf, EmbeddedChannel to, List<ByteBuf> delivered) {
        if (!to.isOpen()) {
            buf.release();
            return false;
        }
        delivered.add(buf);
        to.writeInbound(buf);
        return true;
    }

    private static void checkSide(CompletableFuture<Connection> result, EmbeddedChannel channel) {
        if (result.isCompletedExceptionally()) {
            assertThat(failure(result)).isInstanceOfAny(MultistreamException.class, NoiseException.class);
            assertThat(channel.isOpen()).as("a failed upgrade closes the channel").isFalse();
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return Mutations.edits();
    }
}
