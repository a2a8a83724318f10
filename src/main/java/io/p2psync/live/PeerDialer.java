package io.p2psync.live;

import io.p2psync.devices.Device;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Dials peers over libp2p: the multiaddrs configured in {@code p2psync.libp2p.peers}, and every authorized
 * device that has a url, at the libp2p addresses its {@code GET /status} lists ({@code listenAddrs}), trying
 * first those on the url's host; and peers heard by mDNS. Of a peer's addresses, QUIC ones are tried before TCP
 * ones (QUIC's handshake takes one round trip where TCP, Noise and two negotiations take four), and a transport
 * switched off here is not tried at all. The host redials a peer it reached by a {@code /p2p/} address when the
 * connection is lost. Blocking: call it off the network threads.
 */
final class PeerDialer {

    private static final Logger log = LoggerFactory.getLogger(PeerDialer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Host host;
    private final JsonMapper json;
    private final Set<PeerId> dialling = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    private final boolean tcp;
    private final boolean quic;

    /**
     * @param tcp whether this node dials TCP addresses
     * @param quic whether this node dials QUIC addresses
     */
    PeerDialer(Host host, JsonMapper json, boolean tcp, boolean quic) {
        this.host = host;
        this.json = json;
        this.tcp = tcp;
        this.quic = quic;
    }

    void dialConfigured(List<String> peers) {
        for (String text : peers) {
            try {
                Multiaddr address = Multiaddr.parse(text);
                if (preferred(List.of(address)).isEmpty()) {
                    log.warn("not dialling configured peer {}: its transport is switched off here", text);
                    continue;
                }
                dial(address);
            } catch (RuntimeException e) {
                log.warn("cannot dial configured peer {}: {}", text, cause(e));
            }
        }
    }

    /** Dials {@code device} unless already connected; answers whether a connection is up. */
    boolean dialDevice(Device device) {
        if (host.isConnected(device.deviceId())) {
            return true;
        }
        if (device.url() == null) {
            return false;
        }
        List<Multiaddr> addresses;
        try {
            addresses = listenAddresses(device);
        } catch (IOException | RuntimeException e) {
            log.info("cannot reach {} at {} to learn its libp2p addresses: {}", device.deviceId(), device.url(), cause(e));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return dialAny(device.deviceId(), addresses);
    }

    /**
     * Dials a peer heard by mDNS at the addresses it announced, those not on loopback first (a LAN peer's
     * loopback address is this machine), unless already connected or being dialled.
     */
    void dialDiscovered(PeerId peer, List<String> announced) {
        if (host.isConnected(peer) || !dialling.add(peer)) {
            return;
        }
        try {
            List<Multiaddr> first = new ArrayList<>();
            List<Multiaddr> loopback = new ArrayList<>();
            for (String text : announced) {
                try {
                    Multiaddr m = Multiaddr.parse(text).withoutPeerId();
                    // a /dns address is not resolved here (getAddress() is null): it is dialled as it is
                    java.net.InetAddress ip = (m.isQuic() ? m.toQuicSocketAddress() : m.toTcpSocketAddress()).getAddress();
                    (ip != null && ip.isLoopbackAddress() ? loopback : first).add(m);
                } catch (IllegalArgumentException notTcpOrQuic) {
                    log.debug("ignoring announced address {} of {}", text, peer);
                }
            }
            List<Multiaddr> ordered = preferred(first);
            ordered.addAll(preferred(loopback));
            dialAny(peer, ordered);
        } finally {
            dialling.remove(peer);
        }
    }

    /**
     * Dials a peer at the addresses peer routing found for it (QUIC first, transports switched off here left out),
     * unless already connected or being dialled; answers whether a connection is up.
     */
    boolean dialFound(PeerId peer, List<Multiaddr> found) {
        if (host.isConnected(peer)) {
            return true;
        }
        if (!dialling.add(peer)) {
            return false;
        }
        try {
            return dialAny(peer, preferred(found));
        } finally {
            dialling.remove(peer);
        }
    }

    private boolean dialAny(PeerId peer, List<Multiaddr> addresses) {
        for (Multiaddr address : addresses) {
            try {
                dial(address.withPeerId(peer));
                return true;
            } catch (RuntimeException e) {
                log.debug("dialling {} at {} failed: {}", peer, address, cause(e));
            }
        }
        log.info("could not dial {} at any of {}", peer, addresses);
        return false;
    }

    /** The addresses of the transports this node dials on, QUIC ones first, each in their order. */
    List<Multiaddr> preferred(List<Multiaddr> addresses) {
        List<Multiaddr> out = new ArrayList<>();
        if (quic) {
            addresses.stream().filter(Multiaddr::isQuic).forEach(out::add);
        }
        if (tcp) {
            addresses.stream().filter(a -> !a.isQuic()).forEach(out::add);
        }
        return out;
    }

    private void dial(Multiaddr address) {
        host.dial(address).orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        log.info("connected to {}", address);
    }

    /** The device's libp2p addresses from its /status, those on its url's host first. */
    private List<Multiaddr> listenAddresses(Device device) throws IOException, InterruptedException {
        URI status = URI.create(device.url() + "/status");
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(status).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + status + " answered " + r.statusCode());
        }
        JsonNode addrs;
        try {
            addrs = json.readTree(r.body()).get("listenAddrs");
        } catch (JacksonException e) {
            throw new IOException("GET " + status + " did not answer JSON");
        }
        List<Multiaddr> first = new ArrayList<>();
        List<Multiaddr> rest = new ArrayList<>();
        String urlHost = status.getHost();
        if (addrs != null) {
            for (JsonNode a : addrs) {
                try {
                    Multiaddr m = Multiaddr.parse(a.asString()).withoutPeerId();
                    boolean sameHost = m.valueOf(MultiaddrProtocol.IP4).or(() -> m.valueOf(MultiaddrProtocol.IP6))
                            .map(ip -> urlHost != null && urlHost.replace("[", "").replace("]", "").equals(ip))
                            .orElse(false);
                    (sameHost ? first : rest).add(m);
                } catch (IllegalArgumentException unusable) {
                    log.debug("ignoring listen address {} of {}", a, device.deviceId());
                }
            }
        }
        List<Multiaddr> ordered = preferred(first);
        ordered.addAll(preferred(rest));
        return ordered;
    }

    private static String cause(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.toString();
    }
}
