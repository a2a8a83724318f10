package io.p2psync.sync;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads at most {@code cap} bytes of a stream (a peer's answer, or a request that arrived compressed): the read
 * that would go past it throws {@link AnswerTooLargeException} instead, and {@link #exceeded()} tells so afterwards (a JSON parser may wrap
 * the exception in its own).
 */
public final class CappedInputStream extends FilterInputStream {

    private final long cap;
    private long read;
    private boolean exceeded;

    public CappedInputStream(InputStream in, long cap) {
        super(in);
        this.cap = cap;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        // Never ask for more than one byte past the cap, so the cap is found with at most that much read.
        long room = cap - read;
        int n = super.read(buf, off, room >= len ? len : (int) room + 1);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long room = cap - read;
        long skipped = super.skip(room >= n ? n : room + 1);
        count(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(long n) throws AnswerTooLargeException {
        read += n;
        if (read > cap) {
            exceeded = true;
            throw new AnswerTooLargeException(cap);
        }
    }

    /** True once a read went past the cap. */
    public boolean exceeded() {
        return exceeded;
    }

    /** An answer longer than the cap. */
    public static final class AnswerTooLargeException extends IOException {
        AnswerTooLargeException(long cap) {
            super("the answer is larger than " + cap + " bytes");
        }
    }
}
