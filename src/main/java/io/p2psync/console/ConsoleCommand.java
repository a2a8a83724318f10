package io.p2psync.console;

import java.util.Objects;

/**
 * One console command.
 *
 * @param name what the user types first, e.g. {@code add}
 * @param arguments the argument names for the usage line, e.g. {@code <key> <value>}; empty for none
 * @param summary one line for {@code help}
 * @param required how many arguments must be given
 * @param action what the command does; its answer is printed as is
 */
record ConsoleCommand(String name, String arguments, String summary, int required, Action action) {

    ConsoleCommand {
        Objects.requireNonNull(name);
        Objects.requireNonNull(arguments);
        Objects.requireNonNull(action);
    }

    String usage() {
        return arguments.isEmpty() ? name : name + " " + arguments;
    }

    /** What a command does; may throw, and the console prints the message and goes on. */
    @FunctionalInterface
    interface Action {
        String run(CommandLine line) throws Exception;
    }
}
