package io.p2psync.p2p.pubsub;

import io.netty.channel.Channel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.P2pStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived outbound stream per peer, used only for writing (pubsub/README.md, "Stream management").
 * RPCs sent while the stream is being opened wait in a bounded queue; when the stream fails or closes, the
 * link is forgotten and the router opens a new one at its next heartbeat. Thread-safe: stream futures complete
 * on event-loop threads while the router sends from its own.
 *
 * <p>Back-pressure: an RPC that finds more than {@code maxQueuedBytes} waiting on the stream ({@link QueuedBytes};
 * the peer does not read, or cannot keep up) is not queued: the stream is reset, which frees what it held, the
 * overflow is counted and logged, and the peer is treated like one whose stream failed (out of every mesh, a new
 * stream after a growing wait). So one peer pins at most {@code maxQueuedBytes} plus one RPC, besides what the
 * transport has taken (a yamux window on the connection, or the credit QUIC granted).
 */
final class OutboundStreams {

    private static final Logger log = LoggerFactory.getLogger(OutboundStreams.class);

    private static final class Link {
        final Deque<Rpc> pending = new ArrayDeque<>();
        P2pStream stream;
    }

    private final StreamOpener opener;
    private final List<String> protocolIds;
    private final int maxPending;
    private final int maxQueuedBytes;
    private final Consumer<PeerId> openFailed;
    private final AtomicLong overflows = new AtomicLong();
    private final Map<PeerId, Link> links = new HashMap<>();

    /**
     * @param maxQueuedBytes bytes a stream may hold unsent before an RPC to it resets it instead
     * @param openFailed told (without this object's lock held) of a peer whose stream could not be opened, or
     *     was reset because it held too much
     */
    OutboundStreams(StreamOpener opener, List<String> protocolIds, int maxPending, int maxQueuedBytes,
            Consumer<PeerId> openFailed) {
        this.opener = opener;
        this.protocolIds = List.copyOf(protocolIds);
        this.maxPending = maxPending;
        this.maxQueuedBytes = maxQueuedBytes;
        this.openFailed = openFailed;
    }

    /** True if a stream to {@code peer} is open or being opened. */
    synchronized boolean isLinked(PeerId peer) {
        return links.containsKey(peer);
    }

    /**
     * Creates the link to {@code peer} unless there is one; RPCs sent to it queue until the stream is open.
     *
     * @return true if the link is new and {@link #startOpening} must be called for it
     */
    synchronized boolean reserve(PeerId peer) {
        return links.putIfAbsent(peer, new Link()) == null;
    }

    /** Asks the opener for the stream of a reserved link; call without holding the router's lock. */
    void startOpening(PeerId peer) {
        Link link;
        synchronized (this) {
            link = links.get(peer);
            if (link == null || link.stream != null) {
                return;
            }
        }
        CompletableFuture<P2pStream> future;
        try {
            future = opener.open(peer, protocolIds);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((stream, error) -> opened(peer, link, stream, error));
    }

    /** Writes {@code rpc} to {@code peer}'s stream, or queues it while the stream is opening. */
    synchronized void send(PeerId peer, Rpc rpc) {
        Link link = links.get(peer);
        if (link == null) {
            log.debug("no stream to {}: dropping an RPC", peer);
            return;
        }
        if (link.stream == null) {
            if (link.pending.size() >= maxPending) {
                log.warn("stream to {} still opening and {} RPCs queued: dropping the oldest", peer, maxPending);
                link.pending.removeFirst();
            }
            link.pending.addLast(rpc);
            return;
        }
        write(link.stream, rpc);
    }

    /** Streams reset so far because their peer left more than {@code maxQueuedBytes} unsent. */
    long overflows() {
        return overflows.get();
    }

    /** The protocol id agreed with {@code peer}, or null while no stream is open. */
    synchronized String protocol(PeerId peer) {
        Link link = links.get(peer);
        return link == null || link.stream == null ? null : link.stream.protocolId();
    }

    /** Closes the stream to {@code peer} and drops what was queued for it. */
    void close(PeerId peer) {
        Link link;
        synchronized (this) {
            link = links.remove(peer);
        }
        if (link != null && link.stream != null) {
            link.stream.channel().close();
        }
    }

    /**
     * Forgets and closes the streams whose connection takes no new streams (it closes once its streams end, as a
     * relayed connection replaced by a direct one does): a long-lived stream would hold such a connection open
     * to its limit. The router links those peers again at once, over the connection that takes new streams;
     * what it sends meanwhile waits in the new link's queue.
     */
    synchronized void dropWindingDown() {
        for (var it = links.entrySet().iterator(); it.hasNext();) {
            Link link = it.next().getValue();
            Connection connection = link.stream == null ? null : Connection.of(link.stream.channel());
            if (connection != null && !connection.acceptsNewStreams()) {
                it.remove();
                link.stream.channel().close(); // after the writes already handed to its event loop
            }
        }
    }

    /** Closes every stream. */
    void closeAll() {
        List<PeerId> peers;
        synchronized (this) {
            peers = List.copyOf(links.keySet());
        }
        peers.forEach(this::close);
    }

    private void opened(PeerId peer, Link link, P2pStream stream, Throwable error) {
        synchronized (this) {
            if (links.get(peer) == link && error == null) {
                link.stream = stream;
                stream.channel().pipeline().addFirst(QueuedBytes.NAME, new QueuedBytes()); // next to the transport
                while (!link.pending.isEmpty()) {
                    write(stream, link.pending.removeFirst());
                }
                stream.channel().closeFuture().addListener(f -> closed(peer, link));
                return;
            }
            if (links.get(peer) == link) {
                links.remove(peer);
            }
        }
        if (error != null) {
            log.info("cannot open a pubsub stream to {}: {}", peer, error.toString());
            openFailed.accept(peer);
        } else {
            stream.channel().close(); // the peer went away while the stream was being opened
        }
    }

    private synchronized void closed(PeerId peer, Link link) {
        if (links.get(peer) == link) {
            links.remove(peer);
            log.debug("pubsub stream to {} closed", peer);
        }
    }

    /**
     * Always hands the write to the stream's event loop, even from that loop: a write run in place could reach
     * another router's handler in the same thread (an in-process transport does that) while the caller holds
     * its router's lock. Tasks on one event loop run in submission order, so RPCs keep their order.
     */
    private void write(P2pStream stream, Rpc rpc) {
        Rpc adapted = GossipsubProtocol.MESHSUB_V10.equals(stream.protocolId()) ? withoutV11Fields(rpc) : rpc;
        Channel channel = stream.channel();
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return; // closed or reset: the link is being forgotten, nothing to send on
            }
            if (QueuedBytes.of(channel) > maxQueuedBytes) {
                overflowed(stream);
                return;
            }
            channel.writeAndFlush(adapted).addListener(f -> {
                if (!f.isSuccess()) {
                    // the stream ended with writes in flight; the end itself is what gets logged
                    log.debug("cannot write to the pubsub stream to {}: {}", stream.remotePeer(), f.cause().toString());
                }
            });
        });
    }

    /** On the stream's event loop: the peer has left {@code maxQueuedBytes} unsent; reset rather than queue. */
    private void overflowed(P2pStream stream) {
        overflows.incrementAndGet();
        log.warn("pubsub stream to {} holds more than {} bytes the peer has not taken: resetting it", stream.remotePeer(),
                maxQueuedBytes);
        // closed first, so the link is forgotten before the peer is marked as failed and backs off
        stream.channel().close().addListener(f -> openFailed.accept(stream.remotePeer()));
    }

    /** A v1.0 peer knows nothing of PRUNE's peer exchange and backoff. */
    private static Rpc withoutV11Fields(Rpc rpc) {
        if (rpc.control().prune().isEmpty()) {
            return rpc;
        }
        ControlMessage c = rpc.control();
        List<ControlMessage.Prune> prunes = c.prune().stream()
                .map(p -> new ControlMessage.Prune(p.topic(), List.of(), Optional.empty()))
                .toList();
        return new Rpc(rpc.subscriptions(), rpc.messages(), new ControlMessage(c.ihave(), c.iwant(), c.graft(), prunes));
    }
}
