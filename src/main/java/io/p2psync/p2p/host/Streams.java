package io.p2psync.p2p.host;

import io.netty.channel.Channel;
import io.p2psync.p2p.multistream.Multistream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered protocols and the negotiation of each stream to one of them: inbound streams as
 * multistream responder, outbound streams as initiator. A stream whose negotiation fails is closed
 * (a yamux reset) with a logged reason; its connection is unaffected.
 */
final class Streams {

    private static final Logger log = LoggerFactory.getLogger(Streams.class);

    private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();

    void register(ProtocolHandler handler) {
        for (String id : handler.protocolIds()) {
            if (handlers.putIfAbsent(id, handler) != null) {
                throw new IllegalArgumentException("protocol " + id + " is already registered");
            }
        }
    }

    /** Stops serving {@code handler}'s protocols (streams already open keep running). */
    void unregister(ProtocolHandler handler) {
        for (String id : handler.protocolIds()) {
            handlers.remove(id, handler);
        }
    }

    /** The registered protocol ids, sorted. */
    List<String> protocolIds() {
        return handlers.keySet().stream().sorted().toList();
    }

    /** Negotiates a stream the peer opened; called before the stream channel is registered. */
    void acceptInbound(Channel stream) {
        Connection connection = Connection.of(stream);
        if (connection == null) {
            log.warn("stream {} has no connection; closing it", stream);
            stream.close();
            return;
        }
        Multistream.respond(stream.pipeline(), handlers::containsKey, protocol -> handlers.get(protocol)
                .initStream(new P2pStream(stream, connection.remotePeer(), protocol, false)));
    }

    /**
     * Opens a stream on {@code connection} and negotiates the first of {@code protocols} the peer
     * speaks. {@code handler} initializes it; when null, the handler registered for the agreed protocol
     * does, if there is one.
     */
    CompletableFuture<P2pStream> open(Connection connection, List<String> protocols, ProtocolHandler handler) {
        CompletableFuture<P2pStream> result = new CompletableFuture<>();
        // Open on the event loop, so the negotiation handlers are in place before the stream can read:
        // the responder sends its header as soon as it sees the new stream.
        connection.channel().eventLoop().execute(() -> connection.muxer().openStream().addListener(opened -> {
            if (!opened.isSuccess()) {
                result.completeExceptionally(opened.cause());
                return;
            }
            Channel stream = (Channel) opened.getNow();
            AtomicReference<P2pStream> agreed = new AtomicReference<>();
            Multistream.initiate(stream.pipeline(), protocols, protocol -> {
                P2pStream p2pStream = new P2pStream(stream, connection.remotePeer(), protocol, true);
                agreed.set(p2pStream);
                ProtocolHandler init = handler != null ? handler : handlers.get(protocol);
                if (init != null) {
                    init.initStream(p2pStream);
                }
            }).whenComplete((protocol, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(agreed.get());
                }
            });
        }));
        return result;
    }
}
