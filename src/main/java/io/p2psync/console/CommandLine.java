package io.p2psync.console;

import java.util.ArrayList;
import java.util.List;

/**
 * A line typed at the console, split into a command name and words. {@link #rest(int)} keeps the
 * spacing of the remainder, so {@code add greeting hello world} stores the value {@code hello world}.
 */
record CommandLine(String name, List<String> words, String text) {

    static CommandLine parse(String text) {
        String trimmed = text.strip();
        List<String> tokens = new ArrayList<>(List.of(trimmed.split("\\s+")));
        String name = tokens.isEmpty() ? "" : tokens.remove(0).toLowerCase();
        return new CommandLine(name, List.copyOf(tokens), trimmed);
    }

    boolean isBlank() {
        return name.isEmpty();
    }

    String word(int index) {
        return words.get(index);
    }

    /** The text from argument {@code index} to the end of the line, as typed. */
    String rest(int index) {
        String remaining = text.substring(name.length()).stripLeading();
        for (int i = 0; i < index; i++) {
            remaining = remaining.substring(words.get(i).length()).stripLeading();
        }
        return remaining;
    }
}
