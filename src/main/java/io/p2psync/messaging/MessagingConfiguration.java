package io.p2psync.messaging;

import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.live.LiveNode;
import io.p2psync.storage.P2pSyncSettings;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires messaging onto the live node's libp2p host: the {@code /p2p-sync/msg/1.0.0} protocol, the courier as
 * connection listener, the periodic retry. Present when the live network is ({@code p2psync.libp2p.enabled}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "p2psync.libp2p", name = "enabled", havingValue = "true", matchIfMissing = true)
class MessagingConfiguration {

    /** Requests from peers served at once, and waiting; past the queue a request is refused 503. */
    static final int INBOUND_WORKERS = 4;
    static final int INBOUND_QUEUE = 256;
    /** Ladder climbs and relay hand-overs at once, and waiting. */
    static final int COURIER_WORKERS = 4;
    static final int COURIER_QUEUE = 4096;

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService messagingInbound() {
        return new ThreadPoolExecutor(INBOUND_WORKERS, INBOUND_WORKERS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(INBOUND_QUEUE), daemon("msg-in"));
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService messagingCourier() {
        return new ThreadPoolExecutor(COURIER_WORKERS, COURIER_WORKERS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(COURIER_QUEUE), daemon("msg-out"));
    }

    @Bean
    MessageRepository messageRepository(JdbcClient jdbc) {
        return new MessageRepository(jdbc);
    }

    @Bean
    RouteCache routeCache(JdbcClient jdbc) {
        return new RouteCache(jdbc);
    }

    @Bean
    MessageEvents messageEvents() {
        return new MessageEvents();
    }

    @Bean
    MessageProtocol messageProtocol(JsonMapper json, MessagingSettings settings,
            @Qualifier("messagingInbound") ExecutorService workers) {
        return new MessageProtocol(json, settings, workers);
    }

    @Bean
    FileTransferRepository fileTransferRepository(JdbcClient jdbc) {
        return new FileTransferRepository(jdbc);
    }

    @Bean
    NetworkView networkView() {
        return new NetworkView();
    }

    @Bean
    QueryRateLimiter peerQueryRateLimiter(MessagingSettings settings) {
        return new QueryRateLimiter(settings.queryRateLimit(), settings.queryRateWindow());
    }

    @Bean
    Courier courier(DeviceIdentity identity, AuthorizedDevices authorized, MessageRepository messages, RouteCache routes,
            MessageProtocol protocol, MessagingSettings settings, MessageEvents events, LiveNode live,
            ObjectProvider<io.p2psync.sync.PeerLocator> registry, @Qualifier("messagingCourier") ExecutorService workers,
            ObjectProvider<Clock> clock, FileSettings files, NetworkView view, QueryRateLimiter queries) {
        if (files.frameNeeded() > settings.maxFrameSize().toBytes()) {
            throw new IllegalArgumentException("p2psync.files.chunk-size " + files.chunkSize() + " needs frames of "
                    + files.frameNeeded() + " bytes; raise p2psync.messaging.max-frame-size or lower the chunk size");
        }
        Courier courier = new Courier(identity, authorized, messages, routes, view, protocol, settings, events,
                live::host, registry, workers, queries, clock.getIfAvailable(Clock::systemUTC));
        live.attach(protocol, courier);
        return courier;
    }

    @Bean
    FileRelay fileRelay(AuthorizedDevices authorized, FileTransferRepository transfers, FileSettings files,
            MessagingSettings settings, MessageProtocol protocol, LiveNode live,
            @Qualifier("messagingFiles") ExecutorService workers, P2pSyncSettings node, ObjectProvider<Clock> clock,
            Courier courier) {
        FileRelay relay = new FileRelay(authorized, transfers, files, settings, protocol, live::host, workers,
                node.dataDir(), clock.getIfAvailable(Clock::systemUTC));
        courier.onConnected(relay::forward);
        return relay;
    }

    /** The answering side, wired last: until then the protocol answers 503 {@code starting}. */
    @Bean
    MessageIntake messageIntake(DeviceIdentity identity, AuthorizedDevices authorized, MessageRepository messages,
            RouteCache routes, NetworkView view, QueryRateLimiter queries, MessagingSettings settings,
            MessageEvents events, LiveNode live, Courier courier, ObjectProvider<Clock> clock,
            FileTransferRepository transfers, FileSettings files, P2pSyncSettings node, FileRelay relay,
            FileSender sender, MessageProtocol protocol) {
        Clock c = clock.getIfAvailable(Clock::systemUTC);
        FileReceiver receiver = new FileReceiver(identity, authorized, transfers, files, node.dataDir(), c);
        MessageIntake intake = new MessageIntake(identity.deviceId(), authorized, messages, routes, view, queries,
                settings, events, live::host, courier, c, receiver, relay, sender::receipt);
        protocol.serveWith(intake::serve);
        return intake;
    }

    @Bean
    Messenger messenger(DeviceIdentity identity, AuthorizedDevices authorized, MessageRepository messages,
            RouteCache routes, Courier courier, MessagingSettings settings, MessageEvents events,
            ObjectProvider<Clock> clock, DeviceRepository devices) {
        return new Messenger(identity, authorized, messages, routes, courier, settings, events,
                clock.getIfAvailable(Clock::systemUTC), devices);
    }

    @Bean
    FileSender fileSender(DeviceIdentity identity, AuthorizedDevices authorized, FileTransferRepository transfers,
            MessageProtocol protocol, Courier courier, FileSettings files, MessagingSettings settings, LiveNode live,
            @Qualifier("messagingFiles") ExecutorService workers, P2pSyncSettings node, ObjectProvider<Clock> clock) {
        FileSender sender = new FileSender(identity, authorized, transfers, protocol, courier, files, settings,
                live::host, workers, node.dataDir(), clock.getIfAvailable(Clock::systemUTC));
        courier.onConnected(sender::resume);
        return sender;
    }

    /** File transfers sent at once, and waiting (each sends its chunks one after another). */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService messagingFiles() {
        return new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(COURIER_QUEUE),
                daemon("msg-file"));
    }

    /**
     * Pending messages try the ladder again every {@code retry-interval}; expired ones end; held files and
     * receipts go to every connected device they are for; unfinished sent files resume. On the node's task
     * scheduler (a ScheduledExecutorService bean would switch Boot's off), handed to the courier's workers.
     */
    @Bean
    MessagingRetry messagingRetry(Courier courier, FileSender files, FileRelay relay, MessagingSettings settings,
            @Qualifier("messagingCourier") ExecutorService workers, TaskScheduler scheduler) {
        return new MessagingRetry(scheduler.scheduleWithFixedDelay(() -> {
            try {
                workers.execute(courier::retry);
                workers.execute(relay::retry); // drops expired held files, hands on the rest, returns receipts
                files.resume(null);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // shutting down, or the queue is full: the next pass tries again
            }
        }, java.time.Instant.now().plus(settings.retryInterval()), settings.retryInterval()));
    }

    /** The scheduled retry, cancelled with the context. */
    record MessagingRetry(java.util.concurrent.ScheduledFuture<?> task) implements org.springframework.beans.factory.DisposableBean {
        @Override
        public void destroy() {
            task.cancel(false);
        }
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
