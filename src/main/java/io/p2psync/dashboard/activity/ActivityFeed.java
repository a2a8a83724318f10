package io.p2psync.dashboard.activity;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Keeps the latest activities and sends each new one to every page that follows the feed. Activities are sent
 * on one thread of its own through a bounded queue, so whoever reports one (a committing transaction, a sync
 * round) never waits for a browser; past the queue's bound activities are dropped and counted. A comment every
 * {@link #HEARTBEAT} finds pages that went away. Stops before the web server so open streams never hold up its
 * shutdown. Thread-safe.
 */
final class ActivityFeed implements SmartLifecycle {

    /** Activities kept for a page that opens. */
    static final int KEPT = 100;
    /** Activities waiting to be sent at most. */
    static final int QUEUED = 1000;
    /** How long one stream stays open; the browser opens a new one by itself. */
    static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(ActivityFeed.class);

    private final int maxFollowers;
    private final ArrayDeque<Activity> kept = new ArrayDeque<>(KEPT);
    private final List<SseEmitter> followers = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUED), r -> daemon(r, "dashboard-feed"));
    private final ScheduledExecutorService heartbeat =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dashboard-feed-heartbeat"));
    private volatile boolean running;

    ActivityFeed(int maxFollowers) {
        this.maxFollowers = maxFollowers;
    }

    /** Keeps {@code activity} and sends it to every follower, soon, on the feed's thread. */
    void add(Activity activity) {
        run(() -> {
            synchronized (kept) {
                if (kept.size() == KEPT) {
                    kept.removeFirst();
                }
                kept.addLast(activity);
            }
            sendToAll(SseEmitter.event().name("activity").data(view(activity), MediaType.APPLICATION_JSON));
        });
    }

    /** Runs {@code work} on the feed's thread, unless its queue is full (then it is dropped and counted). */
    void run(Runnable work) {
        try {
            sender.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.warn("Dashboard activity feed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException full) {
            if (dropped.getAndIncrement() % QUEUED == 0) {
                log.info("Dashboard activity feed: {} activities dropped so far, more came than pages take",
                        dropped.get());
            }
        }
    }

    /** The activities kept, newest first. */
    List<Activity> recent() {
        synchronized (kept) {
            List<Activity> newestFirst = new ArrayList<>(kept);
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    /**
     * A new stream for a page that follows the feed.
     *
     * @return null if {@code p2psync.dashboard.feed-clients} pages follow it already, or it is stopping
     */
    SseEmitter follow() {
        if (!running || followers.size() >= maxFollowers) {
            return null;
        }
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        followers.add(emitter);
        emitter.onCompletion(() -> followers.remove(emitter));
        emitter.onTimeout(() -> followers.remove(emitter));
        emitter.onError(e -> followers.remove(emitter));
        return emitter;
    }

    private void sendToAll(SseEmitter.SseEventBuilder event) {
        for (SseEmitter follower : followers) {
            try {
                follower.send(event);
            } catch (IOException | IllegalStateException gone) {
                followers.remove(follower);
                follower.completeWithError(gone);
            }
        }
    }

    private static Map<String, String> view(Activity a) {
        return Map.of("kind", a.kind().code(), "at", a.at().toString(), "text", a.text(),
                "link", a.link() == null ? "" : a.link());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void start() {
        running = true;
        heartbeat.scheduleWithFixedDelay(() -> run(() -> sendToAll(SseEmitter.event().comment("still here"))),
                HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ends every stream, so the web server's graceful shutdown has no open request to wait for. */
    @Override
    public void stop() {
        running = false;
        heartbeat.shutdownNow();
        sender.shutdownNow();
        followers.forEach(SseEmitter::complete);
        followers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
