package io.p2psync.live;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.SyncManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a REST sync round ({@link SyncManager#syncWith}) with one peer at once, so that nothing depends on
 * gossip delivery: when an authorized peer connects, when an entry arrives after a gap, when a peer goes
 * over its rate. Requests for a peer whose round is running are folded into one more round, {@link #RERUN_DELAY}
 * after it; rounds with different peers run side by side on the executor. The peer's url is the one learned from identify,
 * else the one in {@code sync_devices}.
 */
final class CatchUp {

    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);
    /** The pause before a round asked for while the previous one with the same peer ran. */
    static final Duration RERUN_DELAY = Duration.ofSeconds(1);

    private enum State { RUNNING, RUN_AGAIN }

    private final Executor executor;
    private final SyncManager sync;
    private final DeviceRepository devices;
    private final LearnedRestUrls urls;
    private final Map<PeerId, State> states = new HashMap<>();

    CatchUp(Executor executor, SyncManager sync, DeviceRepository devices, LearnedRestUrls urls) {
        this.executor = executor;
        this.sync = sync;
        this.devices = devices;
        this.urls = urls;
    }

    /** Asks for a round with {@code peer}; returns at once. */
    void request(PeerId peer) {
        synchronized (states) {
            if (states.containsKey(peer)) {
                states.put(peer, State.RUN_AGAIN);
                return;
            }
            states.put(peer, State.RUNNING);
        }
        try {
            executor.execute(() -> run(peer));
        } catch (RejectedExecutionException stopped) {
            synchronized (states) {
                states.remove(peer);
            }
        }
    }

    private void run(PeerId peer) {
        while (true) {
            try {
                round(peer);
            } catch (RuntimeException e) {
                log.warn("catch-up with {} failed: {}", peer, e.toString());
            }
            synchronized (states) {
                if (states.get(peer) != State.RUN_AGAIN) {
                    states.remove(peer);
                    return;
                }
                states.put(peer, State.RUNNING);
            }
            try {
                // One more round for what was asked meanwhile, after a pause: a peer that keeps going over its
                // rate gets at most about one round per RERUN_DELAY, and a burst still arrives in full.
                CompletableFuture.delayedExecutor(RERUN_DELAY.toMillis(), TimeUnit.MILLISECONDS, executor)
                        .execute(() -> run(peer));
                return;
            } catch (RejectedExecutionException stopped) {
                synchronized (states) {
                    states.remove(peer);
                }
                return;
            }
        }
    }

    private void round(PeerId peer) {
        Optional<Device> device = devices.find(peer).filter(Device::authorized);
        if (device.isEmpty()) {
            return;
        }
        Device d = device.get();
        String url = urls.get(peer).orElse(d.url());
        if (url == null) {
            log.info("cannot catch up with {}: no REST url known (none in sync_devices, none announced)", peer);
            return;
        }
        sync.syncWith(new Device(d.deviceId(), d.name(), url, d.status(), d.introducedBy(), d.lastAddress(),
                d.lastSyncAt(), d.createdAt()));
    }
}
