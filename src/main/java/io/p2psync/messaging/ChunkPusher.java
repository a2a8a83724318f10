package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;

/**
 * Sends a file's chunks to one device, one after another, each from the offset that device's last CHUNK_ACK
 * asked for, until it answers {@code complete}: the origin to the target (FILE_CHUNK) or to a relay
 * (STORE_FILE_CHUNK), and a relay to the target (FILE_CHUNK). Whoever receives decides where to go on, so a
 * push cut half way resumes where the receiver's bytes end.
 */
final class ChunkPusher {

    /** How a push ended. */
    sealed interface Outcome {
        /** The receiver has the whole file; {@code receipt} is the target's, when the receiver is the target. */
        record Complete(FileReceipt receipt) implements Outcome {
        }

        /** The receiver refused a chunk at {@code offset}. */
        record Refused(Frame.Refusal refusal, long offset) implements Outcome {
        }

        /** The stream or connection broke, or the answer was not a CHUNK_ACK for this file; {@code offset} was confirmed. */
        record Cut(String why, long offset) implements Outcome {
        }
    }

    /** Answers in a row that do not move the offset forward before the push is given up as cut. */
    static final int MAX_STALLED = 3;

    private final MessageProtocol protocol;
    private final Duration answerTimeout;

    ChunkPusher(MessageProtocol protocol, Duration answerTimeout) {
        this.protocol = protocol;
        this.answerTimeout = answerTimeout;
    }

    /**
     * @param type {@link MessageType#FILE_CHUNK} or {@link MessageType#STORE_FILE_CHUNK}
     * @param from where to begin; the receiver's first answer may move it
     * @param confirmed told each offset the receiver confirmed (all bytes before it are on its disk)
     * @throws IOException if the file cannot be read
     * @throws InterruptedException if the thread is interrupted while waiting for an answer
     */
    Outcome push(Host host, PeerId to, MessageType type, FileManifest m, Path file, long from, LongConsumer confirmed)
            throws IOException, InterruptedException {
        Frame.WireManifest wire = Frame.WireManifest.of(m);
        long next = Math.min(Math.max(0, from), m.size());
        int stalled = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                Frame.WireChunk chunk = Chunks.read(in, m, wire, next);
                Frame request = type == MessageType.STORE_FILE_CHUNK ? Frame.storeChunk(chunk) : Frame.chunk(chunk);
                Frame answer;
                try {
                    answer = protocol.call(host, to, request, answerTimeout).get();
                } catch (ExecutionException e) {
                    return new Outcome.Cut(String.valueOf(e.getCause()), next);
                }
                if (answer.type() == MessageType.REFUSED) {
                    return new Outcome.Refused(answer.refusal(), next);
                }
                if (answer.type() != MessageType.CHUNK_ACK || !m.id().equals(answer.next().id())) {
                    return new Outcome.Cut("an answer that is no CHUNK_ACK of " + m.id() + " (" + answer.type() + ")", next);
                }
                Frame.ChunkAck ack = answer.next();
                if (ack.complete()) {
                    FileReceipt receipt = null;
                    if (ack.receipt() != null) {
                        try {
                            receipt = ack.receipt().toDomain();
                        } catch (IllegalArgumentException e) {
                            receipt = null;
                        }
                        if (receipt != null && !receipt.acknowledges(m)) {
                            receipt = null;
                        }
                    }
                    return new Outcome.Complete(receipt);
                }
                if (ack.next() < 0 || ack.next() > m.size()) {
                    return new Outcome.Cut("a CHUNK_ACK asking for offset " + ack.next() + " of " + m.size(), next);
                }
                // a receiver that keeps asking for what it was just sent (or for less) does not hold the push
                stalled = ack.next() <= next ? stalled + 1 : 0;
                if (stalled > MAX_STALLED) {
                    return new Outcome.Cut("the receiver asked " + stalled + " times in a row for offset " + ack.next(), next);
                }
                next = ack.next();
                confirmed.accept(next);
            }
        }
    }
}
