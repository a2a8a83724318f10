package io.p2psync.bench;

import java.util.List;

/** The pairings that involve the Java host. */
final class JavaPairings {

    private JavaPairings() {
    }

    static List<TransportBenchmark.Result> measureAll() {
        return List.of();
    }
}
