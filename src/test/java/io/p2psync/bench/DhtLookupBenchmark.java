package io.p2psync.bench;

import io.p2psync.p2p.kad.DhtNode;
import io.p2psync.p2p.kad.KadConfig;
import io.p2psync.p2p.kad.KadDht;
import io.p2psync.p2p.kad.LookupOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * DHT lookup time: N Java DHT nodes (default 40) on 127.0.0.1 in one JVM; each joins through the first node and
 * one other earlier one and looks itself up. Then, one at a time, a random node drops any connection to another
 * random node and looks up its peer id, as peer routing does for a device it cannot reach, and the time to the
 * answer naming that peer and the queries it took are noted. A second series looks up
 * random keys nobody has, so each lookup runs until the 20 nearest peers it heard of have all answered.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.p2psync.bench.DhtLookupBenchmark [-Dexec.args="40 200"]} (nodes, lookups per series)
 */
public final class DhtLookupBenchmark {

    private DhtLookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int lookups = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        KadConfig config = KadConfig.defaults().withRefreshInterval(Duration.ZERO);
        List<DhtNode> all = new ArrayList<>();
        Random random = new Random(1);
        try {
            for (int i = 0; i < nodes; i++) {
                all.add(DhtNode.start(config));
            }
            // Each node joins through the first node and one other earlier node, then looks itself up (the first
            // lookup of the spec's bootstrap process), so tables hold a node's neighbourhood, not everyone.
            long bootStart = System.nanoTime();
            for (int i = 1; i < nodes; i++) {
                DhtNode joining = all.get(i);
                List<DhtNode> via = List.of(all.get(0), all.get(random.nextInt(i)));
                for (DhtNode v : via) {
                    joining.host().dial(v.addr()).get(10, TimeUnit.SECONDS);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!joining.table().containsAll(via.stream().map(DhtNode::peerId).toList())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(5); // identify answers arrive on the I/O threads
                }
                joining.dht().closestPeers(joining.peerId()).get(60, TimeUnit.SECONDS);
            }
            double bootMs = (System.nanoTime() - bootStart) / 1e6;
            double meanTable = all.stream().mapToInt(n -> n.table().size()).average().orElse(0);
            System.out.printf(Locale.ROOT, "%d nodes joined in %.0f ms; routing tables hold %.1f peers on average%n",
                    nodes, bootMs, meanTable);

            List<double[]> found = new ArrayList<>();
            int notFound = 0;
            for (int i = 0; i < lookups; i++) {
                DhtNode from = all.get(random.nextInt(nodes));
                DhtNode target = all.get(random.nextInt(nodes));
                if (from == target) {
                    i--;
                    continue;
                }
                // as for a device that cannot be reached where it was: no open connection to it
                from.host().disconnect(target.peerId());
                long t0 = System.nanoTime();
                KadDht.LookupResult r = from.dht().find(target.peerId()).get(60, TimeUnit.SECONDS);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (r.outcome() == LookupOutcome.FOUND) {
                    found.add(new double[] {ms, r.queries()});
                } else {
                    notFound++;
                }
            }
            report("find a peer by id", found, notFound);

            List<double[]> full = new ArrayList<>();
            int other = 0;
            for (int i = 0; i < lookups; i++) {
                DhtNode from = all.get(random.nextInt(nodes));
                long t0 = System.nanoTime();
                KadDht.LookupResult r = from.dht().find(io.p2psync.p2p.core.PrivateKey.generate().peerId())
                        .get(60, TimeUnit.SECONDS);
                double ms = (System.nanoTime() - t0) / 1e6;
                if (r.outcome() == LookupOutcome.CONVERGED) {
                    full.add(new double[] {ms, r.queries()});
                } else {
                    other++;
                }
            }
            report("nearest 20 of a random key", full, other);
        } finally {
            all.forEach(DhtNode::close);
        }
    }

    private static void report(String what, List<double[]> samples, int failed) {
        double[] ms = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
        double[] q = samples.stream().mapToDouble(s -> s[1]).sorted().toArray();
        System.out.printf(Locale.ROOT, "%s: %d lookups (%d ended otherwise): time median %.1f ms, p99 %.1f ms, max %.1f ms; "
                        + "queries median %.0f, p99 %.0f, max %.0f%n", what, ms.length, failed, pct(ms, 50), pct(ms, 99),
                ms.length == 0 ? Double.NaN : ms[ms.length - 1], pct(q, 50), pct(q, 99),
                q.length == 0 ? Double.NaN : q[q.length - 1]);
    }

    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

}
