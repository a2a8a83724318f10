package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleOutputTest {

    private static final String NL = System.lineSeparator();
    private static final String ERASE_LINE = "\r\u001b[K";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private String shown() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    private static void write(OutputStream stream, String text) {
        try {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLogLineWaitsUntilAnAnswerIsWhole() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        Thread[] console = new Thread[1];
        // Holds the console's write half-way until the test opens it; other threads' writes go straight through.
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                if (Thread.currentThread() == console[0]) {
                    int half = len / 2;
                    screen.write(bytes, off, half);
                    waitFor(open);
                    screen.write(bytes, off + half, len - half);
                } else {
                    screen.write(bytes, off, len);
                }
            }
        };
        ConsoleOutput output = new ConsoleOutput(slow, StandardCharsets.UTF_8, false);
        String answer = "colour = blue" + NL + "greeting = hello" + NL + "(2 keys)";
        console[0] = new Thread(() -> output.println(answer), "console");
        Thread logger = new Thread(() -> write(output.others(), "2026-11-21T12:00:00 INFO a log line\n"), "logger");

        console[0].start();
        await().atMost(Duration.ofSeconds(10)).until(() -> screen.size() > 0);
        logger.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> logger.getState() == Thread.State.WAITING);
        open.countDown();
        console[0].join(10_000);
        logger.join(10_000);

        assertThat(shown()).isEqualTo(answer + NL + "2026-11-21T12:00:00 INFO a log line\n");
    }

    @Test
    void aLineWrittenWhileThePromptWaitsGoesAboveIt() {
        ConsoleOutput output = new ConsoleOutput(screen, StandardCharsets.UTF_8, true);

        output.prompt("> ");
        write(output.others(), "2026-11-21T12:00:00 INFO a log line\n");

        assertThat(shown()).isEqualTo("> " + ERASE_LINE + "2026-11-21T12:00:00 INFO a log line\n> ");
    }

    @Test
    void anAnswerTakesThePlaceOfThePromptItFollows() {
        ConsoleOutput output = new ConsoleOutput(screen, StandardCharsets.UTF_8, true);

        output.prompt("> ");
        output.println("console: input ended");
        write(output.others(), "a log line\n");

        assertThat(shown()).as("no prompt after the answer: the console asks again when it wants input")
                .isEqualTo("> " + ERASE_LINE + "console: input ended" + NL + "a log line\n");
    }

    @Test
    void aLineWrittenInPiecesGetsThePromptBackOnlyOnceWhole() {
        ConsoleOutput output = new ConsoleOutput(screen, StandardCharsets.UTF_8, true);

        output.prompt("> ");
        write(output.others(), "2026-11-21 WARN ");
        write(output.others(), "slow peer\n");

        assertThat(shown()).isEqualTo("> " + ERASE_LINE + "2026-11-21 WARN slow peer\n> ");
    }

    @Test
    void aPipeGetsNoPromptAndNoControlCharacters() {
        ConsoleOutput output = new ConsoleOutput(screen, StandardCharsets.UTF_8, false);

        output.prompt("> ");
        write(output.others(), "a log line\n");
        output.println("ok: colour = blue");

        assertThat(shown()).isEqualTo("a log line\nok: colour = blue" + NL);
    }

    @Test
    void anAnswerAfterAnUnfinishedLineStartsOnANewOne() {
        ConsoleOutput output = new ConsoleOutput(screen, StandardCharsets.UTF_8, false);

        write(output.others(), "half a line");
        output.println("bye");

        assertThat(shown()).isEqualTo("half a line" + NL + "bye" + NL);
    }

    @Test
    void installedItTakesWhatIsPrintedOnStandardOutput() {
        PrintStream before = System.out;
        try {
            new ConsoleOutput(screen, StandardCharsets.UTF_8, true).install().prompt("> ");
            System.out.println("printed by anyone");
        } finally {
            System.setOut(before);
        }

        assertThat(shown()).isEqualTo("> " + ERASE_LINE + "printed by anyone" + NL + "> ");
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
