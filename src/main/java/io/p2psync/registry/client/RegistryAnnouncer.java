package io.p2psync.registry.client;

import io.p2psync.live.LiveNode;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.registry.Presence;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;

/**
 * Announces this device to the registry once the node is ready (its REST port is known) and then every
 * {@code p2psync.registry.announce-interval}: its libp2p listen addresses (those a remote device could dial: not
 * the unspecified address), its REST url and the relays it holds a reservation on (its coordinators); and, when it
 * relays for others itself, a coordinator heartbeat with its load. A failed announcement is tried again at the next interval; the
 * client's breaker and outage log keep a registry that is down from costing more than a line.
 */
final class RegistryAnnouncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryAnnouncer.class);

    private final RegistryClient client;
    private final RegistryClientSettings settings;
    private final ObjectProvider<LiveNode> live;
    private final Environment environment;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-announce");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean announcedOnce;

    RegistryAnnouncer(RegistryClient client, RegistryClientSettings settings, ObjectProvider<LiveNode> live,
                      Environment environment) {
        this.client = client;
        this.settings = settings;
        this.live = live;
        this.environment = environment;
    }

    /** Starts the schedule: an announcement now, then every interval. */
    void start() {
        timer.scheduleWithFixedDelay(this::announceQuietly, 0, settings.announceInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Announces now; answers what the registry holds. */
    Presence announce() throws RegistryException {
        LiveNode node = live.getIfAvailable();
        List<String> coordinators = node == null ? List.of()
                : node.relaysReservedOn().stream().map(Object::toString).toList();
        Presence p = client.announce(multiaddrs(), restUrl(), coordinators);
        if (!announcedOnce) {
            announcedOnce = true;
            log.info("Announced to the registry at {} in network {}: {} {}", client.url(), settings.network(),
                    p.restUrl(), p.multiaddrs());
        }
        return p;
    }

    /**
     * When this node relays for others (a coordinator), tells the registry it is alive and how loaded
     * ({@link LiveNode#relayLoad()}, in percent). Answers whether a heartbeat was sent.
     */
    boolean heartbeat() throws RegistryException {
        LiveNode node = live.getIfAvailable();
        OptionalInt load = node == null ? OptionalInt.empty() : node.relayLoad();
        if (load.isEmpty()) {
            return false;
        }
        client.heartbeat(load.getAsInt(), multiaddrs());
        return true;
    }

    private void announceQuietly() {
        try {
            announce();
            heartbeat();
        } catch (RegistryException e) {
            if (!e.unreachable()) {
                // a refusal (wrong token, unknown network, name taken) is a setting to fix, said each time
                log.warn("Registry at {} refused the announcement: {}", client.url(), e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("Announcing to the registry failed: {}", e.toString());
        }
    }

    List<String> multiaddrs() {
        LiveNode node = live.getIfAvailable();
        if (node == null) {
            return List.of();
        }
        return node.listenAddrs().stream().filter(RegistryAnnouncer::dialable).toList();
    }

    private static boolean dialable(String text) {
        try {
            Multiaddr m = Multiaddr.parse(text);
            InetAddress ip = (m.isQuic() ? m.toQuicSocketAddress() : m.toTcpSocketAddress()).getAddress();
            return ip == null || !ip.isAnyLocalAddress();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The REST url to announce: the setting, else the address the server listens on, else this machine's first. */
    String restUrl() {
        if (settings.restUrl() != null && !settings.restUrl().isBlank()) {
            return settings.restUrl().strip();
        }
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String bound = environment.getProperty("server.address");
        try {
            InetAddress address = bound == null || bound.isBlank() ? null : InetAddress.getByName(bound);
            if (address == null || address.isAnyLocalAddress()) {
                address = firstInterfaceAddress();
            }
            return address == null ? null : "http://" + host(address) + ":" + port;
        } catch (UnknownHostException | SocketException e) {
            return null;
        }
    }

    private static InetAddress firstInterfaceAddress() throws SocketException {
        InetAddress fallback = null;
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a.isLinkLocalAddress() || a.isLoopbackAddress()) {
                    continue;
                }
                if (a instanceof Inet4Address) {
                    return a;
                }
                fallback = fallback == null ? a : fallback;
            }
        }
        return fallback;
    }

    private static String host(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        text = zone >= 0 ? text.substring(0, zone) : text;
        return address instanceof Inet6Address ? "[" + text + "]" : text;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
