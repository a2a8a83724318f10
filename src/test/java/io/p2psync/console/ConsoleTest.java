package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleTest {

    private final Map<String, String> store = new HashMap<>();
    private final Console console = new Console(List.of(
            new ConsoleCommand("add", "<key> <value>", "store a value", 2, line -> {
                store.put(line.word(0), line.rest(1));
                return "ok";
            }),
            new ConsoleCommand("get", "<key>", "read a value", 1,
                    line -> store.getOrDefault(line.word(0), "not found")),
            new ConsoleCommand("boom", "", "fails", 0, line -> {
                throw new IllegalStateException("database is on fire");
            })));

    private String run(String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        console.run(new BufferedReader(new StringReader(input)), new ConsoleOutput(out, StandardCharsets.UTF_8, false));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheValueAsTypedIncludingSpaces() throws Exception {
        String out = run("add greeting hello   big world\nget greeting\n");

        assertThat(out).contains("ok").contains("hello   big world");
    }

    @Test
    void explainsAWrongCommandAndAMissingArgumentAndGoesOn() throws Exception {
        String out = run("fly away\nadd onlykey\nget nothing\n");

        assertThat(out).contains("unknown command 'fly'; type 'help' for the commands")
                .contains("usage: add <key> <value>")
                .contains("not found");
    }

    @Test
    void printsAFailingCommandsErrorAndKeepsReading() throws Exception {
        String out = run("boom\nadd k v\nget k\n");

        assertThat(out.lines()).containsSubsequence("error: database is on fire", "ok", "v");
    }

    @Test
    void quitEndsTheLoopAndEndOfInputDoesNot() throws Exception {
        assertThat(console.run(new BufferedReader(new StringReader("help\nquit\nget k\n")),
                new ConsoleOutput(OutputStream.nullOutputStream(), StandardCharsets.UTF_8, false))).isTrue();
        assertThat(console.run(new BufferedReader(new StringReader("help\n")),
                new ConsoleOutput(OutputStream.nullOutputStream(), StandardCharsets.UTF_8, false))).isFalse();
    }

    @Test
    void saysOnceThatItsInputEndedAndThatTheNodeGoesOn() throws Exception {
        String out = run("get k\n");

        assertThat(out.lines().filter(line -> line.contains("input ended"))).singleElement().satisfies(line ->
                assertThat(line).startsWith("console: input ended; the node keeps running (stop it with Ctrl-C or: kill "));
        assertThat(out).as("the last line").endsWith(")" + System.lineSeparator());
        assertThat(run("quit\n")).as("quit is not an end of input").doesNotContain("input ended");
    }

    @Test
    void helpListsEveryCommandWithItsUsage() {
        assertThat(console.answer(CommandLine.parse("help")))
                .contains("add <key> <value>").contains("get <key>").contains("quit");
    }
}
