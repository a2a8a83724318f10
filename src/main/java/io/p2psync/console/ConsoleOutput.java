package io.p2psync.console;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Standard output while the console runs, shared by the console and everything else that prints there: chiefly
 * Logback's console appender, which writes each log event, stack trace included, with one call to
 * {@code System.out} (its target stream looks {@code System.out} up at every write, so {@link #install()} reaches
 * it). One lock orders every write, so a log line never lands inside a console answer and an answer is never
 * split by a log line.
 *
 * <p>At a terminal the console shows a prompt while it waits for a command. A line another writer prints then
 * goes above the prompt: the prompt is erased ({@code CR}, then ANSI "erase in line"), the line written, and the
 * prompt drawn again once the line is whole. What a person had typed after the prompt stays in the terminal's line
 * buffer and is still read, but is no longer shown; a line editor would be needed to redraw it. In a pipe there is
 * no prompt and no control character is ever written.
 */
final class ConsoleOutput {

    private static final byte[] ERASE_LINE = "\r\u001b[K".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final Charset charset;
    private final boolean terminal;
    private final ReentrantLock lock = new ReentrantLock();
    private final OutputStream others = new Others();

    // guarded by lock
    /** The prompt the console waits behind, null when it is not waiting for input. */
    private byte[] prompt;
    /** Whether the prompt is the last thing on the screen, so that the next write must erase it first. */
    private boolean promptShown;
    /** Whether another writer left a line without its end. */
    private boolean lineOpen;

    /**
     * @param out      where everything goes: the process's standard output as it was before {@link #install()}
     * @param charset  how the console's answers are encoded
     * @param terminal whether {@code out} is a terminal; only then is a prompt shown
     */
    ConsoleOutput(OutputStream out, Charset charset, boolean terminal) {
        this.out = out;
        this.charset = charset;
        this.terminal = terminal;
    }

    /** Makes {@link #others()} the process's {@code System.out}; answers this. */
    ConsoleOutput install() {
        System.setOut(new PrintStream(others, true, charset));
        return this;
    }

    /** Prints {@code text} and a line end in one piece, in place of a prompt that is shown. */
    void println(String text) {
        lock.lock();
        try {
            if (promptShown) {
                out.write(ERASE_LINE);
            } else if (lineOpen) {
                out.write(System.lineSeparator().getBytes(charset));
            }
            out.write((text + System.lineSeparator()).getBytes(charset));
            out.flush();
            prompt = null;
            promptShown = false;
            lineOpen = false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** At a terminal, shows {@code text} and keeps it below other writers' lines until the next answer. */
    void prompt(String text) {
        if (!terminal) {
            return;
        }
        lock.lock();
        try {
            if (promptShown) {
                out.write(ERASE_LINE); // after an empty line typed, or a prompt redrawn under another line
            } else if (lineOpen) {
                out.write(System.lineSeparator().getBytes(charset));
                lineOpen = false;
            }
            prompt = text.getBytes(charset);
            out.write(prompt);
            out.flush();
            promptShown = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** The stream for everyone but the console: each write is kept whole and clear of the prompt. */
    OutputStream others() {
        return others;
    }

    private final class Others extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            lock.lock();
            try {
                if (promptShown) {
                    out.write(ERASE_LINE);
                    promptShown = false;
                }
                out.write(bytes, off, len);
                lineOpen = bytes[off + len - 1] != '\n';
                if (prompt != null && !lineOpen) {
                    out.write(prompt);
                    promptShown = true;
                }
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void flush() throws IOException {
            lock.lock();
            try {
                out.flush();
            } finally {
                lock.unlock();
            }
        }
    }
}
