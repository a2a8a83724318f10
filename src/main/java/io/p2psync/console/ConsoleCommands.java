package io.p2psync.console;

import io.p2psync.kv.KvEntry;
import io.p2psync.messaging.Message;
import io.p2psync.messaging.Messenger;
import org.springframework.beans.factory.ObjectProvider;
import io.p2psync.kv.KvService;
import io.p2psync.status.StatusReport;
import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.peers.PeerState;
import io.p2psync.peers.PeerStates;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The console's command table: {@code add}, {@code get}, {@code delete}, {@code list}, {@code status},
 * {@code peers} and {@code info}, and with the live network on {@code send} and {@code messages}. Each calls the same service as the matching REST endpoint, so the console
 * and {@code /kv}, {@code /status} and {@code /peers} cannot disagree. Answers are plain text for people.
 */
@Component
class ConsoleCommands {

    private final KvService kv;
    private final StatusReport status;
    private final PeerStates peers;
    private final P2pSyncSettings settings;
    private final Environment environment;
    /** Absent when the live network is off. */
    private final ObjectProvider<Messenger> messenger;

    ConsoleCommands(KvService kv, StatusReport status, PeerStates peers, P2pSyncSettings settings,
            Environment environment, ObjectProvider<Messenger> messenger) {
        this.messenger = messenger;
        this.kv = kv;
        this.status = status;
        this.peers = peers;
        this.settings = settings;
        this.environment = environment;
    }

    List<ConsoleCommand> all() {
        List<ConsoleCommand> all = new java.util.ArrayList<>(List.of(
                new ConsoleCommand("add", "<key> <value>", "store a value (the rest of the line, spaces kept)", 2,
                        this::add),
                new ConsoleCommand("get", "<key>", "show the value of a key", 1, this::get),
                new ConsoleCommand("delete", "<key>", "delete a key", 1, this::delete),
                new ConsoleCommand("list", "", "show every key and value", 0, line -> list()),
                new ConsoleCommand("status", "", "device id, log size, devices, pending conflicts", 0,
                        line -> status()),
                new ConsoleCommand("peers", "", "the peers and how their sync goes", 0, line -> peers()),
                new ConsoleCommand("info", "", "ports, data directory and where the API is", 0, line -> info())));
        Messenger m = messenger.getIfAvailable();
        if (m != null) {
            all.add(new ConsoleCommand("send", "<device> <text>", "send a message to a device (its id or name)", 2,
                    line -> send(m, line)));
            all.add(new ConsoleCommand("messages", "", "the latest messages sent and received", 0, line -> messages(m)));
        }
        return List.copyOf(all);
    }

    private static String send(Messenger m, CommandLine line) {
        try {
            Message sent = m.send(null, m.resolve(line.word(0)), line.rest(1)).message();
            return "sent " + sent.id() + " to " + sent.to() + " (" + sent.status().name().toLowerCase()
                    + "; see: messages)";
        } catch (Messenger.Refused e) {
            return "not sent: " + e.getMessage();
        }
    }

    private static String messages(Messenger m) {
        List<Message> latest = m.list(null, 20, 0);
        if (latest.isEmpty()) {
            return "no messages yet; send one with: send <device> <text>";
        }
        return latest.stream().map(x -> x.createdAt() + "  " + ("out".equals(x.direction()) ? "to " + x.to()
                        : "from " + x.from()) + "  " + x.status().name().toLowerCase()
                        + (x.path() == null ? "" : " (" + x.path().name().toLowerCase().replace('_', ' ')
                        + (x.via() == null ? "" : " via " + x.via()) + ")") + "  " + x.content())
                .collect(Collectors.joining(System.lineSeparator()));
    }

    private String add(CommandLine line) {
        KvEntry entry = kv.put(line.word(0), line.rest(1));
        return "ok: " + entry.key() + " = " + entry.value();
    }

    private String get(CommandLine line) {
        return kv.get(line.word(0)).map(KvEntry::value).orElse("no value for key '" + line.word(0) + "'");
    }

    private String delete(CommandLine line) {
        return kv.delete(line.word(0)) ? "deleted " + line.word(0) : "no value for key '" + line.word(0) + "'";
    }

    private String list() {
        List<KvEntry> entries = kv.list();
        if (entries.isEmpty()) {
            return "no keys yet; add one with: add <key> <value>";
        }
        return entries.stream().map(e -> e.key() + " = " + e.value())
                .collect(Collectors.joining(System.lineSeparator()))
                + System.lineSeparator() + "(" + entries.size() + (entries.size() == 1 ? " key)" : " keys)");
    }

    private String status() {
        StatusReport.NodeStatus s = status.current();
        Map<String, Long> versions = s.versionVector().asMap();
        return lines(
                "device:            " + s.deviceId() + " (" + s.deviceName() + ")",
                "log entries:       " + s.logEntries(),
                "devices:           " + s.devices(),
                "pending conflicts: " + s.pendingConflicts(),
                "versions:          " + (versions.isEmpty() ? "none yet"
                        : versions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))),
                "libp2p listens on: " + (s.listenAddrs().isEmpty() ? "nothing (live network off)"
                        : String.join(", ", s.listenAddrs())));
    }

    private String peers() {
        List<PeerState> all = peers.all();
        if (all.isEmpty()) {
            return "no peers yet; pair one with POST /devices (see the README)";
        }
        return all.stream().map(ConsoleCommands::peer).collect(Collectors.joining(System.lineSeparator()));
    }

    private static String peer(PeerState p) {
        StringBuilder text = new StringBuilder();
        text.append(p.name() != null ? p.name() : p.key()).append("  ").append(p.url() != null ? p.url() : "over libp2p")
                .append("  ").append(p.status().name().toLowerCase().replace('_', ' '));
        if (p.behind() != null) {
            text.append(", ").append(p.behind()).append(" entries behind");
        }
        if (p.refused() != null && p.refused() > 0) {
            text.append(", ").append(p.refused()).append(" refused ").append(p.refusedReasons().keySet());
        }
        if (p.held() > 0) {
            text.append(", ").append(p.held()).append(" held");
        }
        if (p.progress() != null) {
            text.append(", syncing ").append(p.progress().done())
                    .append(p.progress().total() == null ? "" : "/" + p.progress().total());
        }
        if (p.lastSuccessAt() != null) {
            text.append(", last sync ").append(p.lastSuccessAt());
        }
        if (p.lastError() != null) {
            text.append(", last error: ").append(p.lastError());
        }
        return text.toString();
    }

    private String info() {
        String httpPort = environment.getProperty("local.server.port",
                environment.getProperty("server.port", "8080"));
        boolean live = environment.getProperty("p2psync.libp2p.enabled", Boolean.class, true);
        String rest = "http://localhost:" + httpPort;
        return lines(
                "device:       " + status.current().deviceId() + " (" + settings.deviceName() + ")",
                "data dir:     " + settings.dataDir().toAbsolutePath().normalize(),
                "REST API:     " + rest,
                "API docs:     " + rest + "/swagger-ui.html (OpenAPI: " + rest + "/v3/api-docs)",
                "libp2p port:  " + (live ? environment.getProperty("p2psync.libp2p.port", "4001") : "off"),
                "version:      " + version());
    }

    private static String version() {
        String v = ConsoleCommands.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines);
    }
}
