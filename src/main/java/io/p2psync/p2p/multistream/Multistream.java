package io.p2psync.p2p.multistream;

import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Entry points for multistream-select 1.0 on a Netty pipeline.
 *
 * <p>Both calls append the negotiation handlers to the end of {@code pipeline} and return at once. When
 * a protocol is agreed, {@code onAgreed} runs on the channel's event loop with the multistream handlers
 * already removed: it must add the protocol's handlers to the pipeline, since any bytes the peer sent
 * after the negotiation are passed on right after it returns. The returned future then completes with
 * the protocol id. On failure (the peer breaks the protocol, declines every proposal, closes, or does
 * not finish within {@link #NEGOTIATION_TIMEOUT}) the reason is logged, the channel is closed and the
 * future completes exceptionally with a {@link MultistreamException}.
 */
public final class Multistream {

    /** The protocol id every negotiation starts with. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The answer to a proposal the responder does not support. */
    public static final String NOT_AVAILABLE = "na";
    /** The longest message accepted, newline included; protocol ids are short. */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** How long one negotiation may take before the channel is closed. */
    public static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);

    private Multistream() {
    }

    /** Proposes {@code protocols} in order (most preferred first) until the responder accepts one. */
    public static CompletableFuture<String> initiate(ChannelPipeline pipeline, List<String> protocols,
            Consumer<String> onAgreed) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("nothing to propose");
        }
        return install(pipeline, new MultistreamInitiator(protocols, onAgreed));
    }

    /** Answers proposals, accepting the first one {@code supported} accepts and {@code na} to the rest. */
    public static CompletableFuture<String> respond(ChannelPipeline pipeline, Predicate<String> supported,
            Consumer<String> onAgreed) {
        return install(pipeline, new MultistreamResponder(supported, onAgreed));
    }

    private static CompletableFuture<String> install(ChannelPipeline pipeline, MultistreamNegotiator negotiator) {
        negotiator.addTo(pipeline);
        return negotiator.result();
    }
}
