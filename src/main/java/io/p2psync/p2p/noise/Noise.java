package io.p2psync.p2p.noise;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Secures a connection with {@code /noise}.
 *
 * <p>{@link #secure} appends the framing and handshake handlers to the end of the pipeline. When the
 * handshake succeeds, the handshake handler has been replaced by the transport codec, and
 * {@code onSecured} runs on the event loop with the authenticated remote peer: it must add the next
 * layer's handlers, since decrypted bytes that followed the handshake flow on right after it returns.
 * The future then completes with the same peer id. A bad signature, a peer other than
 * {@code expectedPeer}, a frame that fails authentication, a close or a stall longer than
 * {@link #HANDSHAKE_TIMEOUT} closes the connection with a logged reason and fails the future with a
 * {@link NoiseException}.
 */
public final class Noise {

    public static final String PROTOCOL_ID = "/noise";
    /** The largest Noise message, handshake or transport (noise/README.md, "Wire Format"). */
    public static final int MAX_MESSAGE_LENGTH = 65535;
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private Noise() {
    }

    /**
     * @param initiator true on the dialling side
     * @param identity this host's libp2p key, which signs a fresh Noise static key
     * @param expectedPeer the peer that was dialled, when known; any other peer is refused
     */
    public static CompletableFuture<PeerId> secure(ChannelPipeline pipeline, boolean initiator, PrivateKey identity,
            Optional<PeerId> expectedPeer, Consumer<PeerId> onSecured) {
        return secure(pipeline, initiator, identity, expectedPeer, NoiseKeyPair.generate(), NoiseKeyPair.generate(),
                onSecured);
    }

    static CompletableFuture<PeerId> secure(ChannelPipeline pipeline, boolean initiator, PrivateKey identity,
            Optional<PeerId> expectedPeer, NoiseKeyPair staticKeys, NoiseKeyPair ephemeralKeys,
            Consumer<PeerId> onSecured) {
        NoiseHandshakeHandler handshake = new NoiseHandshakeHandler(initiator, identity, expectedPeer, staticKeys,
                ephemeralKeys, onSecured);
        pipeline.addLast("noise-frame-decoder",
                new LengthFieldBasedFrameDecoder(MAX_MESSAGE_LENGTH + 2, 0, 2, 0, 2));
        pipeline.addLast("noise-frame-prepender", new LengthFieldPrepender(2));
        pipeline.addLast("noise-handshake", handshake);
        return handshake.result();
    }
}
