package io.p2psync.live;

import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceChanged;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.Libp2pRoutes;
import io.p2psync.sync.SyncChannel;
import java.util.Optional;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.HostBuilder;
import io.p2psync.p2p.autonat.AutoNatClient;
import io.p2psync.p2p.autonat.AutoNatServer;
import io.p2psync.p2p.autonat.Reachability;
import io.p2psync.p2p.dcutr.Dcutr;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.identify.IdentifyPushProtocol;
import io.p2psync.p2p.mdns.MdnsConfig;
import io.p2psync.p2p.mdns.MdnsDiscovery;
import io.p2psync.p2p.ping.PingProtocol;
import io.p2psync.p2p.pubsub.GossipParams;
import io.p2psync.p2p.pubsub.GossipRouter;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import io.p2psync.p2p.pubsub.MessageDrop;
import io.p2psync.storage.StartupProblem;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * This node on the live network: starts the libp2p host with the device key (identify, ping, gossipsub),
 * finds LAN peers by mDNS (if {@code p2psync.libp2p.mdns}), joins the topic with {@link GossipIntake} as validator and {@link GossipDelivery} as listener, dials the
 * configured peers and every authorized device (at its url's addresses, or where the DHT finds it;
 * {@link PairedDeviceReach}), and stops it all again. When an authorized peer
 * connects it asks the peer's identify (to learn its REST url) and starts a {@link CatchUp} round with it.
 * Starts after the web server (so {@code local.server.port} is known) and stops before it.
 */
public final class LiveNode implements SmartLifecycle, ConnectionListener, Libp2pRoutes {

    private static final Logger log = LoggerFactory.getLogger(LiveNode.class);
    /** How often the authorized devices that are not connected are looked at ({@link PairedDeviceReach}). */
    static final java.time.Duration REACH_INTERVAL = java.time.Duration.ofSeconds(30);
    /** The longest wait between two keep-alive pings of a QUIC connection. */
    static final java.time.Duration KEEP_ALIVE_AT_MOST = java.time.Duration.ofSeconds(5);

    private final LiveSettings settings;
    private final DeviceIdentity identity;
    private final DeviceRepository devices;
    private final AuthorizedDevices authorized;
    private final GossipIntake intake;
    private final GossipDelivery delivery;
    private final CatchUp catchUp;
    private final LearnedRestUrls urls;
    private final PeerRateLimiter rate;
    private final LiveMetrics metrics;
    private final ExecutorService network;
    private final Environment environment;
    private final JsonMapper json;
    private final String agentVersion;
    private final PingProtocol ping = new PingProtocol();
    private final SyncProtocol sync;
    private final PeerRouting routing;
    private final RelaySettings relaySettings;
    private final DcutrSettings dcutrSettings;
    private final AutoNatSettings autoNatSettings;

    private volatile Host host;
    private volatile LiveRelay relay;
    /** Upgrades relayed connections to direct ones; null while stopped or with DCUtR off. */
    private volatile Dcutr dcutr;
    /** Finds out whether peers can dial this node; null while stopped or with AutoNAT off. */
    private volatile AutoNatClient autoNat;
    private volatile AutoRelay autoRelay;
    private volatile PairedDeviceReach pairedReach;
    private volatile GossipRouter router;
    private volatile IdentifyProtocol identify;
    private volatile IdentifyPushProtocol identifyPush;
    private volatile PeerDialer dialer;
    private ScheduledExecutorService heartbeat;
    private MdnsDiscovery mdns;
    /** Protocols and listeners other features attach to the host (messaging); registered at each start. */
    private final List<io.p2psync.p2p.host.ProtocolHandler> attachedProtocols = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ConnectionListener> attachedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    LiveNode(LiveSettings settings, DeviceIdentity identity, DeviceRepository devices, AuthorizedDevices authorized,
            GossipIntake intake, GossipDelivery delivery, CatchUp catchUp, LearnedRestUrls urls, PeerRateLimiter rate,
            LiveMetrics metrics, ExecutorService network, Environment environment, JsonMapper json, SyncProtocol sync,
            PeerRouting routing, RelaySettings relaySettings, DcutrSettings dcutrSettings,
            AutoNatSettings autoNatSettings) {
        this.settings = settings;
        this.autoNatSettings = autoNatSettings;
        this.dcutrSettings = dcutrSettings;
        this.routing = routing;
        this.relaySettings = relaySettings;
        this.sync = sync;
        this.identity = identity;
        this.devices = devices;
        this.authorized = authorized;
        this.intake = intake;
        this.delivery = delivery;
        this.catchUp = catchUp;
        this.urls = urls;
        this.rate = rate;
        this.metrics = metrics;
        this.network = network;
        this.environment = environment;
        this.json = json;
        String version = LiveNode.class.getPackage().getImplementationVersion();
        this.agentVersion = "p2p-sync/" + (version == null ? "dev" : version);
    }

    // ---- lifecycle

    @Override
    public synchronized void start() {
        authorized.refresh();
        GossipParams params = GossipParams.defaults().withMaxMessageBytes((int) settings.maxMessageSize().toBytes())
                .withMaxQueuedBytes((int) settings.maxQueuedPerPeer().toBytes());
        router = GossipRouter.builder(identity.privateKey(),
                        (peer, protocols) -> host.newStream(peer, protocols.toArray(String[]::new)))
                .params(params)
                .peerFilter(authorized)
                .dropListener(this::routerDropped)
                .build();
        metrics.watch(router);
        // what a peer says this node's address is goes into DCUtR's CONNECT: take the word of the user's own devices
        // and of the peers the user named (bootstrap, reserve-on, peers), never of a stranger met through the DHT
        // the same peers are the ones AutoNAT asks to dial this node back, and the ones it dials back when asked
        Set<PeerId> named = namedPeers();
        java.util.function.Predicate<PeerId> chosen = peer -> authorized.test(peer) || named.contains(peer);
        identify = new IdentifyProtocol(this::identifyInfo, chosen);
        identifyPush = new IdentifyPushProtocol(this::identifyInfo, this::identifyPushed);
        try {
            HostBuilder builder = Host.builder();
            settings.listenAddresses().forEach(builder::listen);
            builder
                    .privateKey(identity.privateKey())
                    .quicIdleTimeout(settings.quicIdleTimeout())
                    .agentVersion(agentVersion)
                    .maxInboundConnections(settings.maxInboundConnections())
                    .maxInboundStreams(settings.maxInboundStreams())
                    // peers that are not authorized devices may connect for identify and ping, briefly and few
                    .trustedPeers(authorized)
                    .maxGuestConnections(settings.maxGuestConnections())
                    .guestGracePeriod(settings.guestGracePeriod())
                    .protocol(identify)
                    .protocol(identifyPush)
                    .protocol(ping)
                    .protocol(new GossipsubProtocol(router))
                    .protocol(sync)
                    .connectionListener(this);
            attachedProtocols.forEach(builder::protocol);
            attachedListeners.forEach(builder::connectionListener);
            host = builder.start();
        } catch (UncheckedIOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new StartupProblem("p2psync.libp2p.port", String.valueOf(settings.port()),
                    "cannot listen on " + String.join(" and ", settings.listenAddresses()) + " (" + root.getMessage() + ")",
                    "stop the program that uses the port or choose another with --p2psync.libp2p.port (--port), "
                            + "0 for a free one; or check p2psync.libp2p.host", e);
        }
        relay = LiveRelay.start(host, identity.privateKey(), relaySettings, authorized, this::pushIdentify);
        if (dcutrSettings.enabled()) {
            Host h = host;
            IdentifyProtocol id = identify;
            // the spec's unilateral upgrade: a peer that announces a public address is dialled there first
            dcutr = Dcutr.install(h, id::observedAddresses, relayed -> h.newStream(relayed, id)
                    .thenCompose(id::identify).thenApply(info -> Dcutr.publicAddresses(readable(info.listenAddrs()))));
        }
        if (autoNatSettings.enabled()) {
            startAutoNat(chosen);
        }
        dialer = new PeerDialer(host, json, settings.tcp(), settings.quic());
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gossip-heartbeat");
            t.setDaemon(true);
            return t;
        });
        router.start(heartbeat);
        router.subscribe(settings.topic(), intake, delivery);
        if (settings.mdns()) {
            startMdns();
        }
        log.info("live: {} on topic '{}' at {}", host.peerId(), settings.topic(), listenAddrs());
        background(() -> dialer.dialConfigured(settings.peers()));
        Host h = host;
        PairedDeviceReach reach = new PairedDeviceReach(devices::findAuthorized,
                peer -> h.isConnected(peer) || peer.equals(h.peerId()), this::dialOrFind, java.time.Clock.systemUTC());
        pairedReach = reach;
        // Once the DHT has its first peers, paired devices that cannot be reached otherwise are looked up at once.
        routing.start(host, identify).thenRun(() -> {
            reach.tryAllNow();
            background(reach::pass);
        });
        reachability().ifPresent(this::followReachability); // what AutoNAT learned before the DHT started
        // Paired devices that were offline at start, or whose redials ran out, are tried again now and then.
        heartbeat.scheduleWithFixedDelay(() -> background(reach::pass), 0, REACH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        long keepAlive = Math.min(settings.quicIdleTimeout().toMillis() / 3, KEEP_ALIVE_AT_MOST.toMillis());
        heartbeat.scheduleWithFixedDelay(this::keepQuicAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
    }

    /**
     * Pings every QUIC connection, three times per idle timeout and at least every
     * {@link #KEEP_ALIVE_AT_MOST} (the timeout in force is the lower of both sides', and a peer's may be
     * shorter). A QUIC connection with nothing to send for its idle timeout is closed by both sides without a
     * word (TCP has keep-alive in the kernel; quiche has none that Netty offers), and a quiet sync topic can be
     * silent for longer than that. A ping not answered within the interval has its stream closed, so a peer
     * that does not answer cannot make this hold its stream credit.
     */
    private void keepQuicAlive() {
        Host h = host;
        if (h == null) {
            return;
        }
        long within = Math.min(settings.quicIdleTimeout().toMillis() / 3, KEEP_ALIVE_AT_MOST.toMillis());
        for (Connection connection : h.connections()) {
            if (connection.transport() != Connection.Transport.QUIC) {
                continue;
            }
            h.newStream(connection, ping).thenCompose(stream -> ping.ping(stream)
                    .orTimeout(within, TimeUnit.MILLISECONDS)
                    .whenComplete((rtt, e) -> {
                        if (e == null) {
                            stream.halfClose();
                        } else {
                            stream.channel().close();
                        }
                    })).whenComplete((rtt, e) -> {
                        if (e != null) {
                            log.debug("keep-alive ping on {} failed: {}", connection, e.toString());
                        }
                    });
        }
    }

    /** A peer pushed what changed about it: the DHT books its addresses, the automatic relay asks it again. */
    private void identifyPushed(PeerId peer, IdentifyInfo info) {
        routing.pushed(info);
        AutoRelay auto = autoRelay;
        if (auto != null) {
            auto.identifyPushed(peer);
        }
    }

    /**
     * Dials a paired device at its url's libp2p addresses; failing that (no url, or not reachable there), finds it
     * by its id through the DHT, once the DHT can answer, and dials what is found. Answers whether a connection is up.
     */
    private boolean dialOrFind(Device device) {
        if (dialer.dialDevice(device)) {
            return true;
        }
        if (!routing.ready() || !authorized.test(device.deviceId())) {
            return false;
        }
        List<Multiaddr> found = routing.find(device.deviceId());
        return !found.isEmpty() && dialer.dialFound(device.deviceId(), found);
    }

    /**
     * What AutoNAT learned decides two offers to other nodes. The DHT's {@code auto} mode: a client while this node
     * cannot be reached from outside, so other nodes neither put it in their tables nor wait on queries to it, and a
     * server once it can. And the relay's hop protocol, offered only while the node is not known to be unreachable.
     * Connected peers hear a change by identify push.
     */
    private void followReachability(Reachability state) {
        if (state == Reachability.UNKNOWN) {
            return;
        }
        boolean reachable = state == Reachability.PUBLIC;
        boolean changed = routing.dht().map(d -> d.reachable(reachable)).orElse(false);
        LiveRelay r = relay;
        changed |= r != null && r.offerHop(reachable);
        if (changed) {
            pushIdentify();
        }
    }

    /**
     * Serves AutoNAT to the {@code chosen} peers, asks them whether this node is reachable, and while it is not,
     * reserves on relays among them by itself.
     */
    private void startAutoNat(java.util.function.Predicate<PeerId> chosen) {
        boolean lan = autoNatSettings.privateAddresses();
        host.addProtocol(new AutoNatServer(host, chosen, java.time.Clock.systemUTC(), lan));
        Host h = host;
        AutoNatClient client = AutoNatClient.start(host, identify, chosen, lan, h::listenAddresses,
                autoNatSettings.interval(), autoNatSettings.retryInterval());
        AutoRelay auto = new AutoRelay(host, identify, relay.client(), chosen, relay.configured(),
                autoNatSettings.relays(), client::reachability, this::pushIdentify);
        client.onChange(state -> {
            auto.reviewSoon();
            followReachability(state);
        });
        autoNat = client;
        autoRelay = auto;
    }

    /** Starts mDNS discovery; a machine without a multicast interface runs on without it. */
    private void startMdns() {
        MdnsDiscovery discovery = new MdnsDiscovery(MdnsConfig.defaults().withQueryInterval(settings.mdnsInterval()),
                host.peerId(), this::directListenAddrs,
                peer -> background(() -> dialer.dialDiscovered(peer.peerId(), peer.multiaddrs())));
        try {
            discovery.start();
            mdns = discovery;
        } catch (RuntimeException e) {
            log.warn("mDNS discovery is off: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        if (host == null) {
            return;
        }
        if (mdns != null) {
            mdns.close();
            mdns = null;
        }
        routing.stop();
        router.close();
        heartbeat.shutdownNow();
        pairedReach = null;
        if (autoRelay != null) {
            autoRelay.close();
            autoRelay = null;
        }
        if (autoNat != null) {
            autoNat.close();
            autoNat = null;
        }
        relay.close();
        if (dcutr != null) {
            dcutr.close();
            dcutr = null;
        }
        host.close();
        host = null;
        router = null;
    }

    @Override
    public boolean isRunning() {
        return host != null;
    }

    // ---- what other parts use

    /**
     * Serves {@code protocol} on the host and tells {@code listener} of its connections, from the next start on:
     * for features beside sync that speak their own stream protocol (messaging). Call it before the node starts.
     */
    public void attach(io.p2psync.p2p.host.ProtocolHandler protocol, ConnectionListener listener) {
        attachedProtocols.add(protocol);
        attachedListeners.add(listener);
    }

    /** The devices whose relay this node holds a reservation on (its coordinators); empty while stopped. */
    public List<PeerId> relaysReservedOn() {
        LiveRelay r = relay;
        return r == null ? List.of() : r.reservedOn();
    }

    /**
     * How busy this node is as a relay for others, in percent: reservations held on it plus circuits open through
     * it, of the most it takes ({@code max-reservations + max-circuits}), rounded up so any use shows; empty when it
     * does not relay (stopped, or {@code p2psync.libp2p.relay.serve=false}).
     */
    public java.util.OptionalInt relayLoad() {
        LiveRelay r = relay;
        int capacity = relaySettings.maxReservations() + relaySettings.maxCircuits();
        return r == null || capacity <= 0 ? java.util.OptionalInt.empty()
                : r.server().map(s -> java.util.OptionalInt.of(Math.min(100,
                        (int) Math.ceil(100.0 * (s.reservedPeers().size() + s.openCircuits()) / capacity))))
                        .orElse(java.util.OptionalInt.empty());
    }

    /** The running libp2p host; empty while stopped. */
    public Optional<Host> host() {
        return Optional.ofNullable(host);
    }

    /**
     * This node's libp2p addresses with its {@code /p2p/} id: the listen addresses, then the circuit addresses of the
     * relays it holds a reservation on ({@code …/p2p/<relay>/p2p-circuit/p2p/<this node>}); empty while stopped.
     */
    public List<String> listenAddrs() {
        Host h = host;
        LiveRelay r = relay;
        if (h == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(directListenAddrs());
        if (r != null) {
            r.circuitAddresses().forEach(a -> out.add(a.withPeerId(h.peerId()).toString()));
        }
        return out;
    }

    /** The listen addresses alone, as mDNS announces them on the LAN. */
    private List<String> directListenAddrs() {
        Host h = host;
        if (h == null) {
            return List.of();
        }
        return h.listenAddresses().stream().map(a -> a.withPeerId(h.peerId()).toString()).toList();
    }

    /**
     * Whether peers can dial this node, as AutoNAT found: {@code UNKNOWN}, {@code PUBLIC} or {@code PRIVATE}; empty
     * while stopped or with {@code p2psync.libp2p.autonat.enabled=false}.
     */
    public Optional<Reachability> reachability() {
        AutoNatClient client = autoNat;
        return client == null ? Optional.empty() : Optional.of(client.reachability());
    }

    /** The relays the automatic relay picked (for tests and diagnostics); empty while stopped or with AutoNAT off. */
    Set<PeerId> autoRelays() {
        AutoRelay auto = autoRelay;
        return auto == null ? Set.of() : auto.relays();
    }

    /** The relay part of this node, while it runs (for tests and diagnostics). */
    Optional<LiveRelay> relay() {
        return Optional.ofNullable(relay);
    }

    /** The open libp2p connections, oldest first; empty while stopped. */
    public List<LiveConnection> connections() {
        Host h = host;
        if (h == null) {
            return List.of();
        }
        return h.connections().stream().sorted(java.util.Comparator.comparing(Connection::openedAt))
                .map(LiveConnection::of).toList();
    }

    /** Publishes a payload on the topic; does nothing while stopped. */
    void publish(byte[] payload) {
        GossipRouter r = router;
        if (r != null) {
            r.publish(settings.topic(), payload);
            metrics.published();
        }
    }

    /** The connected peers (for tests and diagnostics). */
    List<PeerId> connectedPeers() {
        Host h = host;
        return h == null ? List.of() : List.copyOf(h.connectedPeers());
    }

    /** The connection new streams to {@code peer} use, if connected (for tests and diagnostics). */
    java.util.Optional<Connection> connectionTo(PeerId peer) {
        Host h = host;
        return h == null ? java.util.Optional.empty() : h.connection(peer);
    }

    /** The DHT, while it runs: its mode for {@code GET /status}, and tests. */
    public Optional<io.p2psync.p2p.kad.KadDht> dht() {
        return routing.dht();
    }

    /** The connected peers known to be in the topic (for tests and diagnostics). */
    java.util.Set<PeerId> topicPeers() {
        GossipRouter r = router;
        return r == null ? java.util.Set.of() : r.topicPeers(settings.topic());
    }

    /** The sync protocol on the open connection to {@code peer}, for a round with it; empty if none is open. */
    @Override
    public Optional<SyncChannel> channelTo(PeerId peer) {
        Host h = host;
        return h != null && h.isConnected(peer) ? Optional.of(sync.channel(h, peer)) : Optional.empty();
    }

    @Override
    public Optional<SyncChannel> dial(PeerId peer, List<String> multiaddrs) {
        PeerDialer d = dialer;
        if (host == null || d == null) {
            return Optional.empty();
        }
        d.dialDiscovered(peer, multiaddrs);
        return channelTo(peer);
    }

    @Override
    public boolean reaches(PeerId peer) {
        Host h = host;
        return h != null && h.isConnected(peer);
    }

    // ---- events

    @Override
    public void connected(Connection connection) {
        GossipRouter r = router;
        if (r == null) {
            return;
        }
        r.peerConnected(connection.remotePeer());
        if (authorized.test(connection.remotePeer())) {
            background(() -> greet(connection));
        }
    }

    @Override
    public void disconnected(Connection connection) {
        GossipRouter r = router;
        if (r != null) {
            r.peerDisconnected(connection.remotePeer());
        }
        rate.forget(connection.remotePeer());
    }

    @EventListener
    void onDeviceChanged(DeviceChanged event) {
        if (host == null) {
            return;
        }
        // the shared cache reloaded before this listener (it listens first)
        if (!authorized.test(event.deviceId())) {
            return; // the router's peer filter stops its data; identify and ping may go on
        }
        background(() -> devices.find(event.deviceId()).ifPresent(this::reach));
    }

    private void reach(Device device) {
        Host h = host;
        if (h == null) {
            return;
        }
        if (h.isConnected(device.deviceId())) {
            h.connection(device.deviceId()).ifPresent(this::greet);
        } else {
            PairedDeviceReach r = pairedReach;
            if (r != null) {
                r.tryNow(device.deviceId());
            }
            dialOrFind(device); // its connected event greets it
        }
    }

    /** Learns an authorized peer's REST url from identify, then catches up with it. */
    private void greet(Connection connection) {
        PeerId peer = connection.remotePeer();
        Host h = host;
        if (h == null) {
            return;
        }
        try {
            IdentifyInfo info = h.newStream(peer, identify).thenCompose(identify::identify)
                    .get(IdentifyProtocol.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            // through a relay the connection's address is the relay's: the peer's REST endpoint is not there
            (connection.direct() ? LearnedRestUrls.fromIdentify(connection.remoteAddress(), info.listenAddrs())
                    : Optional.<String>empty()).ifPresent(url -> {
                urls.learn(peer, url);
                log.debug("{} announces its REST endpoint; reaching it at {}", peer, url);
            });
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            log.info("identify with {} failed ({}); catching up with its url from sync_devices, if any", peer, e.toString());
        }
        catchUp.connected(peer);
    }

    // ---- helpers

    /**
     * The peers named in {@code p2psync.libp2p.bootstrap}, {@code p2psync.libp2p.relay.reserve-on} and
     * {@code p2psync.libp2p.peers} by a {@code /p2p/} part; malformed entries are left to those settings' own warnings.
     */
    private Set<PeerId> namedPeers() {
        List<String> texts = new ArrayList<>(routing.bootstrapPeers());
        texts.addAll(relaySettings.reserveOn());
        texts.addAll(settings.peers());
        Set<PeerId> peers = new HashSet<>();
        for (String text : texts) {
            try {
                Multiaddr.parse(text).peerId().ifPresent(peers::add);
            } catch (IllegalArgumentException malformed) {
                // warned about where the setting is used
            }
        }
        return Set.copyOf(peers);
    }

    /** The multiaddrs among {@code bytes} that parse; a peer's unreadable address is left out. */
    private static List<Multiaddr> readable(List<byte[]> bytes) {
        List<Multiaddr> out = new ArrayList<>();
        for (byte[] b : bytes) {
            try {
                out.add(Multiaddr.fromBytes(b));
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException unreadable) {
                // a protocol this side does not know
            }
        }
        return out;
    }

    /** What identify answers: listen addresses plus the REST endpoint as {@code /ip4/…/tcp/<http-port>/http}. */
    private IdentifyInfo identifyInfo() {
        Host h = host;
        List<byte[]> addrs = new ArrayList<>();
        String httpPort = environment.getProperty("local.server.port");
        for (Multiaddr a : h.listenAddresses()) {
            addrs.add(a.toBytes());
        }
        LiveRelay r = relay;
        if (r != null) {
            r.circuitAddresses().forEach(a -> addrs.add(a.toBytes()));
        }
        if (httpPort != null) {
            for (Multiaddr a : h.listenAddresses()) {
                String ip4 = a.valueOf(MultiaddrProtocol.IP4).orElse(null);
                String ip = ip4 != null ? "/ip4/" + ip4 : a.valueOf(MultiaddrProtocol.IP6).map(v -> "/ip6/" + v).orElse(null);
                if (ip != null) {
                    addrs.add(Multiaddr.parse(ip + "/tcp/" + httpPort + "/http").toBytes());
                }
            }
        }
        return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, agentVersion, h.publicKey(), addrs, null,
                h.protocolIds());
    }

    /**
     * Tells every connected peer this node's identify information again (identify push), after its addresses
     * changed: a relay that is also a DHT node then hands out the new circuit address to those who look this node up.
     */
    private void pushIdentify() {
        Host h = host;
        IdentifyPushProtocol push = identifyPush;
        if (h == null || push == null) {
            return;
        }
        for (PeerId peer : h.connectedPeers()) {
            h.newStream(peer, push).whenComplete((stream, e) -> {
                if (e != null) {
                    log.debug("identify push to {} failed: {}", peer, e.toString());
                }
            });
        }
    }

    private void routerDropped(MessageDrop drop) {
        switch (drop.reason()) {
            case UNAUTHORIZED_PEER -> metrics.dropped(DropReason.UNAUTHORIZED);
            case TOO_LARGE -> metrics.dropped(DropReason.TOO_LARGE);
            case INVALID_SIGNATURE -> metrics.dropped(DropReason.UNSIGNED_MESSAGE);
            default -> {
                // REJECTED and IGNORED are counted by the intake; duplicates and own messages are normal
            }
        }
    }

    private void background(Runnable task) {
        try {
            network.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("live background task failed", e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("not starting a live task: shutting down");
        }
    }
}
