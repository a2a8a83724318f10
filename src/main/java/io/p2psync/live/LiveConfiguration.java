package io.p2psync.live;

import io.micrometer.core.instrument.MeterRegistry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.EntryRef;
import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.kv.KvService;
import io.p2psync.kv.KvSettings;
import io.p2psync.peers.PeerDirectory;
import io.p2psync.peers.PeerRunner;
import io.p2psync.devices.RequestBodyBudget;
import io.p2psync.sync.EntryReceiver;
import io.p2psync.sync.SyncService;
import io.p2psync.sync.SyncSettings;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the live bridge when {@code p2psync.libp2p.enabled} is true (the default); with false none of these
 * beans exist, no port is opened and {@code /status} lists no listen addresses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "p2psync.libp2p", name = "enabled", havingValue = "true", matchIfMissing = true)
class LiveConfiguration {

    /** Accepted gossip messages waiting to be applied; past this they are dropped and caught up over REST. */
    static final int APPLY_QUEUE = 10_000;
    /** Sync requests over libp2p served at once, and waiting (each also holds its bytes in the body budget). */
    static final int SYNC_WORKERS = 4;
    static final int SYNC_QUEUE = 64;

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService liveApplyWorker() {
        return Executors.newSingleThreadExecutor(daemon("live-apply")); // GossipDelivery bounds what waits
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService liveNetworkTasks() {
        return Executors.newFixedThreadPool(2, daemon("live-net"));
    }

    /** Serves sync requests that come over libp2p, 4 at a time; past its queue a request is answered 503. */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService liveSyncWorkers() {
        ThreadPoolExecutor workers = new ThreadPoolExecutor(SYNC_WORKERS, SYNC_WORKERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(SYNC_QUEUE), daemon("live-sync"));
        workers.allowCoreThreadTimeOut(true);
        return workers;
    }

    @Bean
    SyncProtocol syncProtocol(SyncService service, AuthorizedDevices authorized, SyncSettings settings, JsonMapper json,
            @Qualifier("liveSyncWorkers") ExecutorService workers, RequestBodyBudget budget) {
        return new SyncProtocol(service, authorized, settings, json, workers, budget);
    }

    @Bean
    LiveMetrics liveMetrics(MeterRegistry registry) {
        return new LiveMetrics(registry);
    }

    @Bean
    PayloadCodec payloadCodec(JsonMapper json) {
        return new PayloadCodec(json);
    }

    @Bean
    ChainHeads chainHeads(ChangeTracker tracker) {
        ChainHeads heads = new ChainHeads(origin -> {
            long version = tracker.versionVector().get(origin);
            return version == 0 ? ChainHeads.Head.NONE : new ChainHeads.Head(version,
                    tracker.find(new EntryRef(origin, version)).orElseThrow().hash());
        });
        // Only an origin never seen before is read from the database on the network thread.
        heads.preload(tracker.versionVector().asMap().keySet());
        return heads;
    }

    @Bean
    GossipArrivals gossipArrivals() {
        return new GossipArrivals();
    }

    @Bean
    LearnedRestUrls learnedRestUrls() {
        return new LearnedRestUrls();
    }

    @Bean
    PeerRateLimiter peerRateLimiter(LiveSettings settings) {
        return new PeerRateLimiter(settings.rateLimit(), settings.rateWindow(), Clock.systemUTC());
    }

    @Bean
    CatchUp catchUp(PeerRunner runner, PeerDirectory directory, LearnedRestUrls urls) {
        return new CatchUp(runner, directory, urls);
    }

    @Bean
    GapChase gapChase(PeerRunner runner, CatchUp catchUp, ChangeTracker tracker) {
        return new GapChase(runner, catchUp::target, tracker::versionVector, runner::later);
    }

    @Bean
    GossipDelivery gossipDelivery(@Qualifier("liveApplyWorker") ExecutorService worker, EntryReceiver receiver,
            KvService kv, ChainHeads heads, GossipArrivals arrivals, LiveMetrics metrics, CatchUp catchUp) {
        return new GossipDelivery(worker, receiver, kv, heads, arrivals, metrics, catchUp::request);
    }

    @Bean
    GossipIntake gossipIntake(LiveSettings settings, KvSettings kv, PeerRateLimiter rate, AuthorizedDevices authorized,
            PayloadCodec codec, ChainHeads heads, LiveMetrics metrics, CatchUp catchUp, GapChase gapChase) {
        GossipIntake.Limits limits = new GossipIntake.Limits((int) settings.maxMessageSize().toBytes(),
                kv.maxKeySize().toBytes(), kv.maxValueSize().toBytes());
        return new GossipIntake(limits, rate, authorized, codec, heads, metrics, catchUp::request, gapChase::missing);
    }

    @Bean
    LiveNode liveNode(LiveSettings settings, DeviceIdentity identity, DeviceRepository devices,
            AuthorizedDevices authorized, GossipIntake intake, GossipDelivery delivery, CatchUp catchUp, LearnedRestUrls urls,
            PeerRateLimiter rate, LiveMetrics metrics, @Qualifier("liveNetworkTasks") ExecutorService network,
            Environment environment, JsonMapper json, SyncProtocol sync, RoutingSettings routing, RelaySettings relay,
            DcutrSettings dcutr, AutoNatSettings autoNat) {
        return new LiveNode(settings, identity, devices, authorized, intake, delivery, catchUp, urls, rate, metrics,
                network, environment, json, sync, new PeerRouting(routing), relay, dcutr, autoNat);
    }

    @Bean
    LivePublisher livePublisher(LiveSettings settings, PayloadCodec codec, ChainHeads heads, GossipArrivals arrivals,
            LiveNode node, ChangeTracker tracker, DeviceIdentity identity) {
        String self = identity.deviceId().toString();
        return new LivePublisher(codec, heads, arrivals, settings.seedCompat(), node::publish, self,
                version -> tracker.find(new EntryRef(self, version)), heads.version(self)); // loaded at start
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
