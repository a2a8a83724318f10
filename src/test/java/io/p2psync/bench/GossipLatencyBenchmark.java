package io.p2psync.bench;

import io.p2psync.interop.GossipNode;
import io.p2psync.interop.JsPeer;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Gossipsub delivery latency between two directly connected nodes on 127.0.0.1: the publisher stamps
 * each message with its wall clock when it publishes, the subscriber notes its wall clock when the message
 * is delivered to it (after signature verification), for JS→JS, Java→JS, JS→Java and Java→Java in one
 * run. Messages go one at a time, each after the previous one arrived, so no queue builds up. Both ends
 * run on one machine and read the same clock.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.p2psync.bench.GossipLatencyBenchmark}
 */
public final class GossipLatencyBenchmark {

    static final String TOPIC = "bench";
    /**
     * Messages sent before those measured. 20 measured the Java node's first second: its publishing path was
     * still being compiled and the JVM's start-up collections (young pauses of 20-80 ms on a loaded machine)
     * fell among the measured messages, which made the whole Java-publisher tail; after 200 the Java
     * publisher's p99 was 3.5-5.5 ms at a load average of 9.
     */
    static final int WARMUP = 200;
    static final int MESSAGES = 200;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private GossipLatencyBenchmark() {
    }

    /** A publishing or subscribing node of either implementation. */
    interface Node extends AutoCloseable {
        PeerId peerId();

        String addr();

        void dial(String addr) throws Exception;

        /** Publishes {@code id + "|" + <wall clock ms at publishing>}. */
        void publishStamped(String id);

        /** When {@code id} was delivered here, in wall-clock ms, if it has been. */
        OptionalDouble deliveredAt(String id);

        /** The stamp the publisher put on {@code id}. */
        OptionalDouble stampOf(String id);

        boolean seesSubscriber(PeerId peer);

        String name();
    }

    record Result(String from, String to, double p50, double p99, double max) {
    }

    /** @param args pairings to run, any of {@code js-js java-js js-java java-java}; all when none given */
    public static void main(String[] args) throws Exception {
        Set<String> only = Set.of(args);
        List<Result> results = new ArrayList<>();
        if (only.isEmpty() || only.contains("js-js")) {
            results.add(measurePair(JsNode::start, JsNode::start));
        }
        if (only.isEmpty() || only.contains("java-js")) {
            results.add(measurePair(JavaGossip::start, JsNode::start));
        }
        if (only.isEmpty() || only.contains("js-java")) {
            results.add(measurePair(JsNode::start, JavaGossip::start));
        }
        if (only.isEmpty() || only.contains("java-java")) {
            results.add(measurePair(JavaGossip::start, JavaGossip::start));
        }
        System.out.println(table(results));
        System.exit(0);
    }

    interface Starter {
        Node start(PrivateKey key, Set<PeerId> authorized) throws Exception;
    }

    static Result measurePair(Starter publisherKind, Starter subscriberKind) throws Exception {
        PrivateKey pk = PrivateKey.generate();
        PrivateKey sk = PrivateKey.generate();
        Set<PeerId> both = Set.of(pk.peerId(), sk.peerId());
        try (Node publisher = publisherKind.start(pk, both); Node subscriber = subscriberKind.start(sk, both)) {
            System.err.printf("measuring %s -> %s%n", publisher.name(), subscriber.name());
            publisher.dial(subscriber.addr());
            waitUntil(() -> publisher.seesSubscriber(subscriber.peerId()) && subscriber.seesSubscriber(publisher.peerId()));
            double[] latencies = new double[MESSAGES];
            for (int i = 0; i < WARMUP + MESSAGES; i++) {
                String id = "m" + i;
                publisher.publishStamped(id);
                waitUntil(() -> subscriber.deliveredAt(id).isPresent());
                if (i >= WARMUP) {
                    latencies[i - WARMUP] = subscriber.deliveredAt(id).getAsDouble() - subscriber.stampOf(id).getAsDouble();
                }
            }
            Arrays.sort(latencies);
            return new Result(publisher.name(), subscriber.name(), percentile(latencies, 50), percentile(latencies, 99),
                    latencies[latencies.length - 1]);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(1);
        }
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Gossipsub delivery latency, %d messages one at a time after %d warm-up, publish to delivery.%n%n",
                MESSAGES, WARMUP));
        out.append("| publisher | subscriber | p50 (ms) | p99 (ms) | max (ms) |\n|---|---|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |%n", r.from(), r.to(), r.p50(), r.p99(), r.max()));
        }
        return out.toString();
    }

    private static OptionalDouble stamp(String data, String id) {
        return data.startsWith(id + "|") ? OptionalDouble.of(Double.parseDouble(data.substring(id.length() + 1)))
                : OptionalDouble.empty();
    }

    static final class JsNode implements Node {
        private final JsPeer peer;

        private JsNode(JsPeer peer) {
            this.peer = peer;
        }

        static Node start(PrivateKey key, Set<PeerId> authorized) throws Exception {
            JsPeer peer = JsPeer.start(new JsPeer.Options().key(key));
            peer.subscribe(TOPIC);
            return new JsNode(peer);
        }

        private Predicate<JsonNode> message(String id) {
            return e -> "message".equals(e.path("event").asString("")) && e.path("data").asString("").startsWith(id + "|");
        }

        @Override
        public PeerId peerId() {
            return peer.peerId();
        }

        @Override
        public String addr() {
            return peer.addrs().get(0);
        }

        @Override
        public void dial(String addr) {
            peer.dial(addr);
        }

        @Override
        public void publishStamped(String id) {
            peer.publishStamped(TOPIC, id);
        }

        @Override
        public OptionalDouble deliveredAt(String id) {
            return peer.event(message(id)).map(e -> OptionalDouble.of(e.get("receivedAt").asDouble())).orElse(OptionalDouble.empty());
        }

        @Override
        public OptionalDouble stampOf(String id) {
            return peer.event(message(id)).map(e -> stamp(e.get("data").asString(), id)).orElse(OptionalDouble.empty());
        }

        @Override
        public boolean seesSubscriber(PeerId other) {
            return peer.topicPeers(TOPIC).contains(other);
        }

        @Override
        public String name() {
            return "js-libp2p-gossipsub 14.1.2";
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    static final class JavaGossip implements Node {
        private final GossipNode node;

        private JavaGossip(GossipNode node) {
            this.node = node;
        }

        static Node start(PrivateKey key, Set<PeerId> authorized) {
            GossipNode node = GossipNode.start(key, authorized::contains);
            node.subscribe(TOPIC);
            return new JavaGossip(node);
        }

        @Override
        public PeerId peerId() {
            return node.peerId();
        }

        @Override
        public String addr() {
            return node.node().addr();
        }

        @Override
        public void dial(String addr) throws Exception {
            node.node().dial(addr);
        }

        @Override
        public void publishStamped(String id) {
            node.publish(TOPIC, id + "|" + GossipNode.epochMillis(Instant.now()));
        }

        @Override
        public OptionalDouble deliveredAt(String id) {
            return node.deliveries().stream().filter(r -> r.data().startsWith(id + "|"))
                    .mapToDouble(GossipNode.Received::atMillis).findFirst();
        }

        @Override
        public OptionalDouble stampOf(String id) {
            return node.received().stream().filter(d -> d.startsWith(id + "|")).findFirst()
                    .map(d -> stamp(d, id)).orElse(OptionalDouble.empty());
        }

        @Override
        public boolean seesSubscriber(PeerId other) {
            return node.router().topicPeers(TOPIC).contains(other);
        }

        @Override
        public String name() {
            return "Java (p2p-sync)";
        }

        @Override
        public void close() {
            node.close();
        }
    }
}
