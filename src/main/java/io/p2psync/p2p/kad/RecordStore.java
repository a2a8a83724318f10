package io.p2psync.p2p.kad;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.p2psync.p2p.core.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records ({@code PUT_VALUE} / {@code GET_VALUE}) and provider announcements ({@code ADD_PROVIDER} /
 * {@code GET_PROVIDERS}) kept in memory: each with its time to live, at most {@code maxKeys} keys of each kind
 * (least recently used go first) and {@link #MAX_PROVIDERS_PER_KEY} providers per key. Thread-safe.
 */
final class RecordStore {

    static final int MAX_PROVIDERS_PER_KEY = 64;

    private record Provider(KadPeer peer, Instant expires) {
    }

    private final Clock clock;
    private final Duration providerTtl;
    private final Cache<String, KadRecord> records;
    private final Cache<String, Map<PeerId, Provider>> providers;

    RecordStore(Clock clock, Duration recordTtl, Duration providerTtl, int maxKeys) {
        this.clock = clock;
        this.providerTtl = providerTtl;
        this.records = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterWrite(recordTtl)
                .ticker(() -> clock.millis() * 1_000_000L).build();
        this.providers = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(providerTtl)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /** Stores a record under its key, stamped with the time received; replaces an older one. */
    KadRecord put(KadRecord record) {
        KadRecord stamped = new KadRecord(record.key(), record.value(), clock.instant().toString());
        records.put(hex(record.key()), stamped);
        return stamped;
    }

    Optional<KadRecord> get(byte[] key) {
        return Optional.ofNullable(records.getIfPresent(hex(key)));
    }

    /** Records {@code provider} for {@code key} until the provider time to live has passed. */
    void addProvider(byte[] key, KadPeer provider) {
        Instant expires = clock.instant().plus(providerTtl);
        providers.asMap().compute(hex(key), (k, old) -> {
            Map<PeerId, Provider> map = old == null ? new LinkedHashMap<>() : old;
            map.remove(provider.id());
            map.put(provider.id(), new Provider(provider, expires));
            while (map.size() > MAX_PROVIDERS_PER_KEY) {
                map.remove(map.keySet().iterator().next()); // the longest unrenewed goes first
            }
            return map;
        });
    }

    /** The providers of {@code key} whose announcements have not expired; empty if none. */
    List<KadPeer> providers(byte[] key) {
        Instant now = clock.instant();
        List<List<KadPeer>> found = new java.util.ArrayList<>(1);
        providers.asMap().computeIfPresent(hex(key), (k, old) -> {
            old.values().removeIf(p -> !p.expires().isAfter(now));
            found.add(old.values().stream().map(Provider::peer).toList()); // copied while the entry is locked
            return old.isEmpty() ? null : old;
        });
        return found.isEmpty() ? List.of() : found.get(0);
    }

    private static String hex(byte[] key) {
        return HexFormat.of().formatHex(key);
    }
}
