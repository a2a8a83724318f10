package io.p2psync.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads commands line by line and answers each one. A wrong command or a missing argument gets a clear
 * message; a failing command prints its error; the node keeps running in every case. The loop ends at
 * {@code quit} (which returns true, so the caller can stop the node) or at the end of the input, which it says
 * in one line and returns false: a node started with its input closed keeps serving.
 */
final class Console {

    private static final Logger log = LoggerFactory.getLogger(Console.class);

    private final Map<String, ConsoleCommand> commands = new LinkedHashMap<>();

    Console(List<ConsoleCommand> commands) {
        commands.forEach(c -> this.commands.put(c.name(), c));
    }

    /**
     * Reads and answers commands until {@code quit} or the end of {@code in}. Shows a prompt where {@code out}
     * is a terminal.
     *
     * @return true if the user asked to quit, false if the input ended
     */
    boolean run(BufferedReader in, ConsoleOutput out) throws IOException {
        out.println("p2p-sync console: type 'help' for the commands");
        while (true) {
            out.prompt("> ");
            String text = in.readLine();
            if (text == null) {
                out.println(inputEnded());
                return false;
            }
            CommandLine line = CommandLine.parse(text);
            if (line.isBlank()) {
                continue;
            }
            if (line.name().equals("quit") || line.name().equals("exit")) {
                out.println("bye");
                return true;
            }
            out.println(answer(line));
        }
    }

    /**
     * The one line printed when the input ends: a person who pressed Ctrl-D, or reads a service's log, learns
     * that the node goes on without a console and how to stop it.
     */
    static String inputEnded() {
        return "console: input ended; the node keeps running (stop it with Ctrl-C or: kill "
                + ProcessHandle.current().pid() + ")";
    }

    String answer(CommandLine line) {
        if (line.name().equals("help")) {
            return help();
        }
        ConsoleCommand command = commands.get(line.name());
        if (command == null) {
            return "unknown command '" + line.name() + "'; type 'help' for the commands";
        }
        if (line.words().size() < command.required()) {
            return "usage: " + command.usage();
        }
        try {
            return command.action().run(line);
        } catch (Exception e) {
            log.debug("console command '{}' failed", line.text(), e);
            return "error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private String help() {
        StringBuilder text = new StringBuilder("commands:");
        commands.values().forEach(c -> text.append(String.format("%n  %-22s %s", c.usage(), c.summary())));
        text.append(String.format("%n  %-22s %s", "help", "this list"));
        text.append(String.format("%n  %-22s %s", "quit", "stop the node"));
        return text.toString();
    }
}
