package io.p2psync.p2p.kad;

import io.netty.channel.Channel;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The DHT's stream protocol: an inbound stream is served by {@link KadRequests}; an outbound one carries this
 * node's requests ({@link #request}). Registered on the host only in server mode, so a client neither announces
 * it in identify nor accepts DHT streams; it still opens outbound streams through this handler.
 */
final class KadProtocol implements ProtocolHandler {

    private final String protocolId;
    private final KadRequests requests;
    private final int maxMessageBytes;
    private final Duration idle;

    KadProtocol(String protocolId, KadRequests requests, int maxMessageBytes, Duration idle) {
        this.protocolId = protocolId;
        this.requests = requests;
        this.maxMessageBytes = maxMessageBytes;
        this.idle = idle;
    }

    @Override
    public List<String> protocolIds() {
        return List.of(protocolId);
    }

    @Override
    public void initStream(P2pStream stream) {
        Channel channel = stream.channel();
        channel.pipeline().addLast(new KadCodec(maxMessageBytes));
        channel.pipeline().addLast(stream.initiator() ? new KadRequester()
                : new KadResponder(stream.remotePeer(), requests, idle));
    }

    /**
     * Sends a request on an outbound stream this handler set up and reads its answer.
     *
     * @return the answer; fails with {@link KadException} if the stream ends first or the answer is malformed. No
     *     timeout is applied here.
     */
    CompletableFuture<KadMessage> request(P2pStream stream, KadMessage request) {
        Channel channel = stream.channel();
        CompletableFuture<KadMessage> answer = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            KadRequester requester = channel.pipeline().get(KadRequester.class);
            if (requester == null) {
                answer.completeExceptionally(new IllegalStateException("not an outbound DHT stream: " + channel));
                return;
            }
            requester.expect(answer);
            channel.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    answer.completeExceptionally(w.cause());
                }
            });
        });
        return answer;
    }
}
