package io.p2psync.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Two yamux sessions wired back to back over {@link EmbeddedChannel}s, moved by hand with {@link #pump()}
 * so every test is deterministic. Every frame that crosses is recorded by its header.
 */
public final class YamuxPair {

    /** A frame header seen on the wire, for assertions about what was sent. */
    public record WireFrame(YamuxType type, Set<YamuxFlag> flags, int streamId, long length) {
    }

    public final EmbeddedChannel client;
    public final EmbeddedChannel server;
    public final YamuxHandler clientMux;
    public final YamuxHandler serverMux;
    public final List<WireFrame> clientToServer = new ArrayList<>();
    public final List<WireFrame> serverToClient = new ArrayList<>();

    public YamuxPair(Consumer<Channel> clientInbound, Consumer<Channel> serverInbound) {
        clientMux = new YamuxHandler(true, clientInbound);
        serverMux = new YamuxHandler(false, serverInbound);
        client = new EmbeddedChannel(clientMux);
        server = new EmbeddedChannel(serverMux);
    }

    /** Moves bytes both ways and runs pending tasks until nothing moves. */
    public void pump() {
        boolean moved;
        do {
            client.runPendingTasks();
            server.runPendingTasks();
            moved = transfer(client, server, clientToServer) | transfer(server, client, serverToClient);
        } while (moved);
    }

    /** Opens a stream; its SYN is written but not yet moved, so handlers added now see every byte. */
    public Channel openFromClient() {
        return open(clientMux);
    }

    public Channel openFromServer() {
        return open(serverMux);
    }

    private Channel open(YamuxHandler mux) {
        Future<Channel> future = mux.openStream();
        if (!future.isSuccess()) {
            throw new AssertionError("openStream failed", future.cause());
        }
        return future.getNow();
    }

    /** Closes both connections and releases anything left in them. */
    public void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private static boolean transfer(EmbeddedChannel from, EmbeddedChannel to, List<WireFrame> log) {
        boolean moved = false;
        Object msg;
        while ((msg = from.readOutbound()) != null) {
            moved = true;
            ByteBuf bytes = (ByteBuf) msg;
            int i = bytes.readerIndex();
            log.add(new WireFrame(YamuxType.fromCode(bytes.getUnsignedByte(i + 1)),
                    YamuxFlag.fromBits(bytes.getUnsignedShort(i + 2)), bytes.getInt(i + 4), bytes.getUnsignedInt(i + 8)));
            if (to.isOpen()) {
                to.writeInbound(bytes);
            } else {
                ReferenceCountUtil.release(bytes);
            }
        }
        return moved;
    }
}
