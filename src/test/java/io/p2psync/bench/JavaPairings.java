package io.p2psync.bench;

import java.util.List;

/** The pairings that involve the Java host. */
final class JavaPairings {

    private JavaPairings() {
    }

    static List<InteropBenchmark.Result> measureAll() {
        return List.of();
    }
}
