package io.p2psync.bench;

import io.p2psync.interop.JsPeer;
import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Connection set-up time (until the dial returns: TCP + Noise XX + yamux, or QUIC with TLS 1.3) and
 * echo-stream throughput between libp2p nodes on 127.0.0.1, for each pairing of implementations and each
 * transport, in one run. Prints a Markdown table. The dialling side measures; a few warm-up rounds are
 * dropped so the JIT and V8 have settled. Every node listens on TCP and QUIC; the transport decides which
 * address is dialled.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.p2psync.bench.InteropBenchmark} (the js packages must be installed:
 * {@code node install.mjs} in {@code src/test/js}); {@code -Dbench.transports=quic} for one transport.
 */
public final class InteropBenchmark {

    static final int WARMUP = 5;
    static final int DIALS = 30;
    static final int ONE_STREAM_BYTES = 32 << 20;
    static final int PARALLEL_STREAMS = 16;
    static final int PARALLEL_BYTES = 4 << 20;
    static final Duration ECHO_TIMEOUT = Duration.ofMinutes(1);

    /** Which of a listener's addresses is dialled. */
    enum Transport {
        TCP, QUIC;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private InteropBenchmark() {
    }

    /** One side of a measured pairing: it dials, and it opens echo streams, to a listener's address. */
    interface Dialer extends AutoCloseable {
        /** Dials {@code target} afresh; answers the set-up time in milliseconds. */
        double dial(Target target) throws Exception;

        void hangUp(Target target) throws Exception;

        /** Opens {@code streams} echo streams at once with {@code bytes} each; answers the wall time in ms. */
        double echo(Target target, int streams, int bytes) throws Exception;

        String name();
    }

    /** The side that listens and serves the echo protocol. */
    interface Listener extends AutoCloseable {
        String peerId();

        /** The address to dial over {@code transport}, with {@code /p2p/}. */
        String addr(Transport transport);

        String name();
    }

    /** One row; {@code failure} is set (and the numbers are NaN) when the pairing could not be measured. */
    record Result(String dialer, String listener, Transport transport, double setupP50, double setupP90,
                  double oneStreamMiBs, double parallelMiBs, String failure) {

        static Result failed(Dialer dialer, Listener listener, Transport transport, Exception e) {
            return new Result(dialer.name(), listener.name(), transport, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, String.valueOf(e.getMessage()));
        }
    }

    public static void main(String[] args) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String name : System.getProperty("bench.transports", "tcp,quic").split(",")) {
            Transport transport = Transport.valueOf(name.trim().toUpperCase(Locale.ROOT));
            try (JsNode a = JsNode.start(); JsNode b = JsNode.start()) {
                results.add(measure(a, b, transport));
            }
            results.addAll(JavaPairings.measureAll(transport));
        }
        System.out.println(table(results));
        System.exit(0);
    }

    /** Measures one pairing; a failure becomes a row that says so rather than ending the run. */
    static Result measure(Dialer dialer, Listener listener, Transport transport) {
        System.err.printf("measuring %s -> %s over %s%n", dialer.name(), listener.name(), transport.id());
        try {
            return measureOrThrow(dialer, listener, transport);
        } catch (Exception e) {
            System.err.printf("  failed: %s%n", e);
            return Result.failed(dialer, listener, transport, e);
        }
    }

    /** What a dialer dials: a listener's peer id and its address on the transport measured. */
    record Target(String peerId, String addr) {
    }

    private static Result measureOrThrow(Dialer dialer, Listener listener, Transport transport) throws Exception {
        Target target = new Target(listener.peerId(), listener.addr(transport));
        double[] setup = new double[DIALS];
        for (int i = 0; i < WARMUP + DIALS; i++) {
            double ms = dialer.dial(target);
            dialer.hangUp(target);
            if (i >= WARMUP) {
                setup[i - WARMUP] = ms;
            }
        }
        Arrays.sort(setup);
        System.err.printf("  set-up p50 %.2f ms; echo...%n", percentile(setup, 50));
        dialer.dial(target);
        dialer.echo(target, 1, 1 << 20); // warm-up
        double one = mibPerSecond(ONE_STREAM_BYTES, dialer.echo(target, 1, ONE_STREAM_BYTES));
        double parallel = mibPerSecond((long) PARALLEL_STREAMS * PARALLEL_BYTES,
                dialer.echo(target, PARALLEL_STREAMS, PARALLEL_BYTES));
        dialer.hangUp(target);
        return new Result(dialer.name(), listener.name(), transport, percentile(setup, 50), percentile(setup, 90), one,
                parallel, null);
    }

    /** Echo moves every byte twice (there and back); throughput counts the payload once each way, as sent. */
    private static double mibPerSecond(long bytes, double millis) {
        return bytes / (1024.0 * 1024.0) / (millis / 1000.0);
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Set-up: %d dials after %d warm-up, each a fresh connection "
                + "(tcp: TCP+Noise+yamux; quic: QUIC v1 with TLS 1.3).%n", DIALS, WARMUP));
        out.append(String.format(Locale.ROOT, "Echo: 1 stream x %d MiB, and %d streams x %d MiB at once; MiB/s of payload.%n%n",
                ONE_STREAM_BYTES >> 20, PARALLEL_STREAMS, PARALLEL_BYTES >> 20));
        out.append("| transport | dialer | listener | set-up p50 (ms) | set-up p90 (ms) | 1 stream (MiB/s) | ")
                .append(PARALLEL_STREAMS).append(" streams (MiB/s) |\n");
        out.append("|---|---|---|---:|---:|---:|---:|\n");
        for (Result r : results) {
            if (r.failure() != null) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | failed: %s | | | |%n", r.transport().id(), r.dialer(),
                        r.listener(), r.failure()));
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.1f | %.1f |%n", r.transport().id(),
                    r.dialer(), r.listener(), r.setupP50(), r.setupP90(), r.oneStreamMiBs(), r.parallelMiBs()));
        }
        return out.toString();
    }

    /** A js-libp2p peer as either side; it measures its own dials and echoes. */
    static final class JsNode implements Dialer, Listener {
        private final JsPeer peer;

        private JsNode(JsPeer peer) {
            this.peer = peer;
        }

        static JsNode start() throws Exception {
            JsPeer peer = JsPeer.start(new JsPeer.Options().listen("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"));
            peer.serveEcho();
            return new JsNode(peer);
        }

        @Override
        public double dial(Target target) {
            return peer.dial(target.addr()).millis();
        }

        @Override
        public void hangUp(Target target) {
            peer.hangUp(PeerId.parse(target.peerId()));
        }

        @Override
        public double echo(Target target, int streams, int bytes) {
            return peer.echo(PeerId.parse(target.peerId()), streams, bytes, ECHO_TIMEOUT);
        }

        @Override
        public String peerId() {
            return peer.peerId().toString();
        }

        @Override
        public String addr(Transport transport) {
            return transport == Transport.QUIC ? peer.quicAddr() : peer.tcpAddr();
        }

        @Override
        public String name() {
            return "js-libp2p 2.10.0";
        }

        @Override
        public void close() {
            peer.close();
        }
    }
}
