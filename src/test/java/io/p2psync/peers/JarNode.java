package io.p2psync.peers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;

/**
 * A p2p-sync node run as its own OS process from the built jar ({@code target/p2p-sync.jar}), on a free port
 * of 127.0.0.1 and its own data directory, for fault tests: it can be killed with SIGKILL, stopped with
 * SIGTERM and started again on the same port and data.
 */
public final class JarNode implements AutoCloseable {

    static final Path JAR = Path.of("target", "p2p-sync.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern DEVICE_ID = Pattern.compile("\"deviceId\"\\s*:\\s*\"([^\"]+)\"");

    final String name;
    final Path dataDir;
    final int port;
    private final List<String> jvmOptions;
    private final List<String> extraArgs;
    private Process process;
    private String deviceId;
    private int starts;

    JarNode(String name, Path dataDir, List<String> extraArgs) throws IOException {
        this(name, dataDir, List.of("-Xmx384m"), extraArgs);
    }

    /**
     * @param jvmOptions options of the child JVM besides the collector and the JIT level (e.g. its heap bound)
     * @param extraArgs  command-line arguments of the node; one that names a default argument replaces it (so
     *                   {@code --p2psync.libp2p.enabled=true} turns libp2p on)
     */
    public JarNode(String name, Path dataDir, List<String> jvmOptions, List<String> extraArgs) throws IOException {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.dataDir = dataDir;
        this.port = freePort();
        this.extraArgs = List.copyOf(extraArgs);
        Files.createDirectories(dataDir);
    }

    /** Starts the process; {@link #awaitUp} waits until it answers. */
    public JarNode start() throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run ./mvnw verify (package comes first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--server.address=127.0.0.1",
                "--p2psync.data-dir=" + dataDir.toAbsolutePath(),
                "--p2psync.device-name=" + name,
                "--p2psync.libp2p.enabled=false",
                "--p2psync.libp2p.mdns=false",
                "--no-console"));
        for (String extra : extraArgs) {
            int equals = extra.indexOf('=');
            if (equals > 0) {
                String key = extra.substring(0, equals + 1);
                args.removeIf(a -> a.startsWith(key));
            }
        }
        args.addAll(extraArgs);
        command.addAll(args);
        starts++;
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        return this;
    }

    public JarNode awaitUp() {
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log());
                    }
                    return get("/status").statusCode() == 200;
                });
        Matcher m = DEVICE_ID.matcher(get("/status").body());
        if (!m.find()) {
            throw new AssertionError(name + " /status has no deviceId");
        }
        deviceId = m.group(1);
        return this;
    }

    /** SIGKILL: no shutdown hook, no graceful anything. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: Spring's graceful shutdown. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself (a refused start); answers its exit code. */
    int awaitExit(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + within + "; see " + log());
        }
        return process.exitValue();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public String deviceId() {
        return deviceId;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dataDir.resolve("node.log");
    }

    public String logText() throws IOException {
        return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
    }

    public Path database() {
        return dataDir.resolve("p2psync.db");
    }

    /** Authorizes {@code other} here with its url, so this node syncs with it. */
    void pair(JarNode other) {
        HttpResponse<String> r = send("POST", "/devices", "{\"deviceId\":\"" + other.deviceId() + "\",\"name\":\""
                + other.name + "\",\"url\":\"" + other.url() + "\"}");
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError(name + " could not pair " + other.name + ": " + r.statusCode() + " " + r.body());
        }
    }

    void put(String key, String value) {
        HttpResponse<String> r = send("PUT", "/kv/" + key, value);
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("PUT /kv/" + key + " on " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    public HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", path.startsWith("/kv") ? "text/plain" : "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A connection to the node's SQLite file as another program would open it (WAL, busy timeout). */
    Connection connect(int busyTimeoutMillis) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(busyTimeoutMillis);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        return DriverManager.getConnection("jdbc:sqlite:" + database().toAbsolutePath(), config.toProperties());
    }

    /** SHA-256 over every row of {@code table} in primary-key order, read straight from the file. */
    String checksum(String table, String orderBy) throws SQLException {
        try (Connection c = connect(10_000); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY " + orderBy)) {
            MessageDigest digest = sha256();
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String v = rs.getString(i);
                    digest.update((v == null ? "\u0000null" : v).getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0x1f);
                }
                digest.update((byte) 0x1e);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = connect(10_000); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    int starts() {
        return starts;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
