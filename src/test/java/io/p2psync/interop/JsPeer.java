package io.p2psync.interop;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real js-libp2p node ({@code src/test/js/peer.mjs}) in a child process, scripted over its stdin and
 * stdout with one JSON object a line. Each command waits for its own answer with a timeout; unsolicited
 * events (gossip messages, discovered peers, connects) are collected for tests to await.
 *
 * <p>The npm packages must be installed ({@code node install.mjs} in {@code src/test/js}; the Maven build
 * does it before the integration tests). The process's stderr goes to {@code target/js-peers/}.
 */
public final class JsPeer implements AutoCloseable {

    /** The echo protocol both test peers serve: every byte read is written back, EOF is echoed as half-close. */
    public static final String ECHO = "/p2psync/echo/1.0.0";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Process process;
    private final BufferedWriter stdin;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final Path log;
    private final PeerId peerId;
    private final List<String> addrs;

    private JsPeer(Options options) throws IOException {
        Path dir = jsDir();
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException("js-libp2p is not installed: run `node install.mjs` in " + dir
                    + " (./mvnw verify does it in pre-integration-test)");
        }
        List<String> command = new ArrayList<>(options.launcher);
        command.add(System.getProperty("node.executable", "node"));
        command.add(options.script);
        command.addAll(options.extra);
        options.key.ifPresent(k -> command.addAll(List.of("--key", HexFormat.of().formatHex(k.toProtobuf()))));
        command.addAll(List.of("--listen", options.listen));
        options.mdnsInterval.ifPresent(d -> command.addAll(List.of("--mdns", Long.toString(d.toMillis()))));
        options.agent.ifPresent(a -> command.addAll(List.of("--agent", a)));
        options.dht.ifPresent(d -> command.addAll(List.of("--dht", d)));

        Path logDir = Path.of("target", "js-peers");
        Files.createDirectories(logDir);
        log = logDir.resolve("js-peer-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        options.debug.or(() -> Optional.ofNullable(System.getProperty("js.debug")))
                .ifPresent(d -> builder.environment().put("DEBUG", d));
        process = builder.start();
        stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(this::readStdout, "js-peer-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode hello = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            peerId = PeerId.parse(hello.get("peerId").asString());
            addrs = hello.get("addrs").values().stream().map(JsonNode::asString).toList();
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("js peer did not start; see " + log.toAbsolutePath(), e);
        }
    }

    /** Starts a js peer listening on 127.0.0.1 on a free port with a fresh key. */
    public static JsPeer start() throws IOException {
        return start(new Options());
    }

    public static JsPeer start(Options options) throws IOException {
        return new JsPeer(options);
    }

    /** {@code src/test/js}, or the directory in system property {@code interop.js.dir}. */
    public static Path jsDir() {
        return Path.of(System.getProperty("interop.js.dir", "src/test/js")).toAbsolutePath();
    }

    public PeerId peerId() {
        return peerId;
    }

    /** The listen multiaddrs as the js peer printed them, each ending in {@code /p2p/<peer id>}. */
    public List<String> addrs() {
        return addrs;
    }

    /**
     * The first listen address on {@code /udp/…/quic-v1}, with {@code /p2p/<peer id>}; the peer must have been
     * started with such a listen address ({@link Options#listen(String...)}).
     */
    public String quicAddr() {
        return addrs.stream().filter(a -> a.contains("/quic-v1/")).findFirst()
                .orElseThrow(() -> new IllegalStateException(this + " does not listen on QUIC: " + addrs));
    }

    /** The first listen address on {@code /tcp/}, with {@code /p2p/<peer id>}. */
    public String tcpAddr() {
        return addrs.stream().filter(a -> a.contains("/tcp/")).findFirst()
                .orElseThrow(() -> new IllegalStateException(this + " does not listen on TCP: " + addrs));
    }

    /** Dials a multiaddr that ends in {@code /p2p/<id>} and answers what the js side agreed on. */
    public Dialed dial(String multiaddr) {
        JsonNode r = call("dial", Map.of("addr", multiaddr));
        return new Dialed(PeerId.parse(r.get("peer").asString()), r.path("encryption").asString(""),
                r.path("muxer").asString(""), r.get("millis").asDouble(), r.path("addr").asString(""));
    }

    /** The js peer's open connections to {@code peer}, with the transport details of each. */
    public List<JsConnection> connections(PeerId peer) {
        return call("connections", Map.of("peer", peer.toString())).get("connections").values().stream()
                .map(c -> new JsConnection(PeerId.parse(c.get("peer").asString()), c.path("addr").asString(""),
                        c.path("direction").asString(""), c.path("muxer").asString(""),
                        c.path("encryption").asString("")))
                .toList();
    }

    public void hangUp(PeerId peer) {
        call("hangUp", Map.of("peer", peer.toString()));
    }

    /** Connected peers. */
    public List<PeerId> peers() {
        return call("peers", Map.of()).get("peers").values().stream().map(n -> PeerId.parse(n.asString())).toList();
    }

    /** One ping round trip over {@code /ipfs/ping/1.0.0}; answers the round-trip time in milliseconds. */
    public double ping(PeerId peer) {
        return call("ping", Map.of("peer", peer.toString())).get("rtt").asDouble();
    }

    /** Runs identify on the open connection to {@code peer}. */
    public Identified identify(PeerId peer) {
        JsonNode r = call("identify", Map.of("peer", peer.toString()));
        return new Identified(r.path("agentVersion").asString(""), r.path("protocolVersion").asString(""),
                r.get("protocols").values().stream().map(JsonNode::asString).toList(),
                r.get("listenAddrs").values().stream().map(JsonNode::asString).toList());
    }

    /** Serves {@link #ECHO} from now on. */
    public void serveEcho() {
        call("serveEcho", Map.of());
    }

    /**
     * Opens {@code streams} echo streams to {@code peer} at once, sends {@code bytes} on each, half-closes,
     * and checks that exactly those bytes come back; fails if any stream does not.
     *
     * @return the js side's wall time for all streams, in milliseconds
     */
    public double echo(PeerId peer, int streams, int bytes, Duration timeout) {
        return call("echo", Map.of("peer", peer.toString(), "streams", streams, "bytes", bytes), timeout)
                .get("millis").asDouble();
    }

    /** The addresses the js peer finds for {@code peer} through its DHT ({@code peerRouting.findPeer}). */
    public List<String> findPeer(PeerId peer) {
        JsonNode r = call("findPeer", Map.of("peer", peer.toString()), Duration.ofSeconds(30));
        List<String> out = new ArrayList<>();
        r.get("addrs").forEach(a -> out.add(a.asString()));
        return out;
    }

    /** The peers in the js peer's DHT routing table. */
    public List<PeerId> dhtPeers() {
        List<PeerId> out = new ArrayList<>();
        call("dhtPeers", Map.of()).get("peers").forEach(p -> out.add(PeerId.parse(p.asString())));
        return out;
    }

    public void subscribe(String topic) {
        call("subscribe", Map.of("topic", topic));
    }

    /** Publishes UTF-8 {@code data}, signed under StrictSign; answers the peers it was sent to. */
    public List<String> publish(String topic, String data) {
        return call("publish", Map.of("topic", topic, "data", data)).get("recipients").values().stream()
                .map(JsonNode::asString).toList();
    }

    /** Publishes {@code data + "|" + <js wall clock in ms>}, stamped at the moment of publishing. */
    public void publishStamped(String topic, String data) {
        call("publish", Map.of("topic", topic, "data", data, "stamp", true));
    }

    /** Peers known to be subscribed to {@code topic}. */
    public List<PeerId> topicPeers(String topic) {
        return call("topicPeers", Map.of("topic", topic)).get("peers").values().stream()
                .map(n -> PeerId.parse(n.asString())).toList();
    }

    /** Switches mDNS on or off (the peer must have been started with an mDNS interval). */
    public void mdns(boolean on) {
        call("mdns", Map.of("on", on));
    }

    /** Gossip messages received so far, as UTF-8 strings, on {@code topic}. */
    public List<String> messages(String topic) {
        return events("message").stream().filter(e -> topic.equals(e.path("topic").asString("")))
                .map(e -> e.get("data").asString()).toList();
    }

    /** Events of one kind received so far ({@code message}, {@code discovered}, {@code connected} …). */
    public List<JsonNode> events(String kind) {
        return events.stream().filter(e -> kind.equals(e.path("event").asString(""))).toList();
    }

    /** The first event matching {@code test}, if one has arrived. */
    public Optional<JsonNode> event(Predicate<JsonNode> test) {
        return events.stream().filter(test).findFirst();
    }

    public JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, COMMAND_TIMEOUT);
    }

    /**
     * Sends one command and waits for its answer.
     *
     * @throws IllegalStateException if the js side answers {@code ok: false}, does not answer within
     *     {@code timeout}, or has died
     */
    public JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        int id = nextId.incrementAndGet();
        Map<String, Object> msg = new LinkedHashMap<>(args);
        msg.put("id", id);
        msg.put("cmd", cmd);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            synchronized (stdin) {
                stdin.write(JSON.writeValueAsString(msg));
                stdin.newLine();
                stdin.flush();
            }
            JsonNode r = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!r.path("ok").asBoolean(false)) {
                throw new IllegalStateException("js " + cmd + " failed: " + r.path("error").asString("?"));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("js peer is gone; see " + log.toAbsolutePath(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("js " + cmd + " got no answer in " + timeout + "; see " + log.toAbsolutePath());
        } catch (ExecutionException e) {
            throw new IllegalStateException("js " + cmd + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for js " + cmd, e);
        } finally {
            pending.remove(id);
        }
    }

    private void readStdout() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (RuntimeException e) {
                    continue; // not ours: a stray console.log from a dependency
                }
                if (node.has("id") && node.has("ok")) {
                    CompletableFuture<JsonNode> f = pending.get(node.get("id").asInt());
                    if (f != null) {
                        f.complete(node);
                    }
                } else if ("ready".equals(node.path("event").asString(""))) {
                    ready.complete(node);
                } else {
                    events.add(node);
                }
            }
        } catch (IOException e) {
            // the process ended; fall through
        }
        IllegalStateException gone = new IllegalStateException("js peer exited; see " + log.toAbsolutePath());
        ready.completeExceptionally(gone);
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    /** Closes stdin so the peer stops cleanly, and kills it if it has not exited after a few seconds. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JsPeer[" + peerId + "]";
    }

    /**
     * A connection the js peer dialled.
     *
     * @param muxer {@code /yamux/1.0.0} over TCP, {@code quic} over QUIC
     * @param millis the js side's time from dial to a secured, multiplexed connection
     * @param addr the remote address of the connection, {@code /tcp/} or {@code /udp/…/quic-v1}
     */
    public record Dialed(PeerId peer, String encryption, String muxer, double millis, String addr) {
    }

    /**
     * One of the js peer's open connections, as js-libp2p describes it.
     *
     * @param direction {@code inbound} or {@code outbound}, seen from the js peer
     * @param muxer {@code /yamux/1.0.0} over TCP, {@code quic} over QUIC
     */
    public record JsConnection(PeerId peer, String addr, String direction, String muxer, String encryption) {
        /** True if the connection runs over QUIC (js-libp2p's QUIC transport names itself as the muxer). */
        public boolean isQuic() {
            return "quic".equals(muxer) && addr.contains("/quic-v1");
        }
    }

    /** What identify told the js peer about a remote. */
    public record Identified(String agentVersion, String protocolVersion, List<String> protocols, List<String> listenAddrs) {
    }

    /** How to start a js peer; every setting is optional. */
    public static final class Options {
        private Optional<PrivateKey> key = Optional.empty();
        private String listen = "/ip4/127.0.0.1/tcp/0";
        private Optional<Duration> mdnsInterval = Optional.empty();
        private Optional<String> agent = Optional.empty();
        private Optional<String> dht = Optional.empty();
        private Optional<String> debug = Optional.empty();
        private List<String> launcher = List.of();
        private String script = "peer.mjs";
        private List<String> extra = List.of();

        /**
         * Another script of {@code src/test/js} in the same line protocol, e.g. {@code relay-peer.mjs}, with its own
         * arguments.
         */
        public Options script(String name, String... arguments) {
            this.script = name;
            this.extra = List.of(arguments);
            return this;
        }

        /** A fixed identity, so a Java node can authorize the js peer's id in advance. */
        public Options key(PrivateKey key) {
            this.key = Optional.of(key);
            return this;
        }

        /**
         * The listen multiaddrs, e.g. {@code /ip4/127.0.0.1/tcp/0} and {@code /ip4/127.0.0.1/udp/0/quic-v1}; the
         * peer adds its QUIC transport only if one of them is {@code /udp/…/quic-v1}.
         */
        public Options listen(String... multiaddrs) {
            if (multiaddrs.length == 0) {
                throw new IllegalArgumentException("at least one listen address");
            }
            this.listen = String.join(",", multiaddrs);
            return this;
        }

        /** Turns on @libp2p/mdns with this query interval. Only inside a test's own network namespace. */
        public Options mdns(Duration interval) {
            this.mdnsInterval = Optional.of(interval);
            return this;
        }

        /** Runs @libp2p/kad-dht in server mode on {@code protocolId}, keeping loopback addresses. */
        public Options dht(String protocolId) {
            this.dht = Optional.of(protocolId);
            return this;
        }

        public Options agent(String agentVersion) {
            this.agent = Optional.of(agentVersion);
            return this;
        }

        /** The js {@code DEBUG} pattern (e.g. {@code libp2p:*}) for the stderr log; system property {@code js.debug} sets it for all. */
        public Options debug(String pattern) {
            this.debug = Optional.of(pattern);
            return this;
        }

        /** A command prefix, e.g. {@code nsenter --net=/proc/<pid>/ns/net}, to run the peer inside a namespace. */
        public Options launcher(List<String> prefix) {
            this.launcher = List.copyOf(prefix);
            return this;
        }
    }
}
