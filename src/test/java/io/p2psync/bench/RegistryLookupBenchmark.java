package io.p2psync.bench;

import io.p2psync.P2pSyncApplication;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PublicKey;
import io.p2psync.testing.PostgresCluster;
import io.p2psync.testing.ScratchDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The registry's lookup (docs/benchmarks.md, "Registry lookups"): a real node serving the registry, its database
 * loaded with {@code devices} devices spread evenly over {@code networks} networks, then {@code lookups} calls of
 * {@code GET /network/{networkId}/peer/{deviceId}} over HTTP on 127.0.0.1 for random devices of random networks, one
 * at a time, each with its network's bearer token (so each costs the token check and the lookup). Median and 99th
 * percentile of the wall time per call, on PostgreSQL (a throwaway cluster, {@link PostgresCluster}) and on SQLite
 * (the default file in the data directory).
 *
 * <p>The rows are loaded with plain JDBC batches of the same rows an announcement writes (the announce path itself
 * is covered by the registry's tests): 100,000 signed announcements over HTTP would measure the load, not the lookup.
 *
 * <p>Arguments: {@code [devices=100000] [networks=1000] [lookups=5000] [stores=postgres,sqlite]}. Run:
 * {@code ./mvnw -q -o test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.p2psync.bench.RegistryLookupBenchmark}; PostgreSQL needs Debian's {@code postgresql} package
 * and root (its server runs as the {@code postgres} user).
 */
public final class RegistryLookupBenchmark {

    private static final int WARM_UP = 2_000;

    private RegistryLookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int networks = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int lookups = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        List<String> stores = Arrays.asList((args.length > 3 ? args[3] : "postgres,sqlite").split(","));
        Data data = Data.make(devices, networks);
        System.out.printf("load before: %.2f%n", RestSyncBenchmark.loadAverage());
        for (String store : stores) {
            if (store.equals("postgres")) {
                try (PostgresCluster pg = PostgresCluster.start()) {
                    run("PostgreSQL", data, lookups, pg.jdbcUrl(), pg.user(),
                            "p2psync.registry.server.datasource.url=" + pg.jdbcUrl(),
                            "p2psync.registry.server.datasource.username=" + pg.user());
                }
            } else {
                run("SQLite", data, lookups, null, null);
            }
        }
        System.out.printf("load after: %.2f%n", RestSyncBenchmark.loadAverage());
        System.exit(0);
    }

    private static void run(String label, Data data, int lookups, String jdbcUrl, String user, String... props)
            throws Exception {
        Path dir = ScratchDirs.create("registry-bench-");
        List<String> all = new ArrayList<>(List.of("p2psync.data-dir=" + dir, "server.port=0",
                "server.address=127.0.0.1", "p2psync.libp2p.enabled=false", "p2psync.sync.auto=false",
                "p2psync.registry.server.enabled=true", "p2psync.console.enabled=false", "spring.main.banner-mode=off",
                "logging.level.root=WARN"));
        all.addAll(List.of(props));
        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(P2pSyncApplication.class)
                .run(all.stream().map(p -> "--" + p).toArray(String[]::new))) {
            String url = jdbcUrl != null ? jdbcUrl : "jdbc:sqlite:" + dir.toAbsolutePath().resolve("registry.db");
            long loadStart = System.nanoTime();
            load(url, user, data);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            String base = "http://127.0.0.1:" + node.getEnvironment().getProperty("local.server.port");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Random random = new Random(42);
            long[] times = new long[lookups];
            for (int i = -WARM_UP; i < lookups; i++) {
                int n = random.nextInt(data.networks);
                int d = n + data.networks * random.nextInt(data.devices / data.networks);
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/network/" + data.networkIds[n]
                        + "/peer/" + data.deviceIds[d])).header("Authorization", "Bearer " + data.tokens[n]).GET().build();
                long start = System.nanoTime();
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - start;
                if (r.statusCode() != 200 || !r.body().contains(data.deviceIds[d])) {
                    throw new IllegalStateException("lookup failed: " + r.statusCode() + " " + r.body());
                }
                if (i >= 0) {
                    times[i] = took;
                }
            }
            Arrays.sort(times);
            System.out.printf("%s: %,d devices in %,d networks loaded in %.1f s; %,d lookups over HTTP:"
                            + " median %.2f ms, p99 %.2f ms, max %.2f ms (load %.2f)%n", label, data.devices,
                    data.networks, loadSeconds, lookups, times[lookups / 2] / 1e6, times[lookups * 99 / 100] / 1e6,
                    times[lookups - 1] / 1e6, RestSyncBenchmark.loadAverage());
        } finally {
            ScratchDirs.delete(dir);
        }
    }

    private static void load(String url, String user, Data data) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, null)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO registry_networks (network_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
                for (int n = 0; n < data.networks; n++) {
                    ps.setString(1, data.networkIds[n]);
                    ps.setString(2, "network " + n);
                    ps.setString(3, sha256(data.tokens[n]));
                    ps.setLong(4, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_presence (network_id, device_id, name,"
                    + " multiaddrs, rest_url, coordinators, signed_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int d = 0; d < data.devices; d++) {
                    ps.setString(1, data.networkIds[d % data.networks]);
                    ps.setString(2, data.deviceIds[d]);
                    ps.setString(3, "device-" + d);
                    ps.setString(4, "[\"/ip4/10.0." + (d / 250 % 250) + "." + (d % 250) + "/tcp/4001/p2p/"
                            + data.deviceIds[d] + "\"]");
                    ps.setString(5, "http://10.0." + (d / 250 % 250) + "." + (d % 250) + ":8080");
                    ps.setString(6, "[]");
                    ps.setLong(7, now);
                    ps.setLong(8, now);
                    ps.addBatch();
                    if (d % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Ids and tokens of the devices and networks; device {@code d} is in network {@code d % networks}. */
    private record Data(int devices, int networks, String[] networkIds, String[] tokens, String[] deviceIds) {

        static Data make(int devices, int networks) {
            SecureRandom random = new SecureRandom();
            String[] networkIds = new String[networks];
            String[] tokens = new String[networks];
            for (int n = 0; n < networks; n++) {
                networkIds[n] = "net-" + HexFormat.of().formatHex(bytes(random, 8));
                tokens[n] = HexFormat.of().formatHex(bytes(random, 32));
            }
            String[] deviceIds = new String[devices];
            for (int d = 0; d < devices; d++) {
                // a well-formed Ed25519 device id; the lookup never needs the key to be a point on the curve
                deviceIds[d] = PeerId.fromPublicKey(new PublicKey(bytes(random, 32))).toString();
            }
            return new Data(devices, networks, networkIds, tokens, deviceIds);
        }

        private static byte[] bytes(SecureRandom random, int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }
    }
}
