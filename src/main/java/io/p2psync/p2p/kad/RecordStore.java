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
 * {@code GET_PROVIDERS}) kept in memory: each with its time to live; records at most {@link #MAX_VALUE_BYTES} each
 * and {@link #MAX_RECORD_BYTES} together, providers of at most {@code maxKeys} keys (least recently used go first),
 * {@link #MAX_PROVIDERS_PER_KEY} per key and {@link #MAX_PROVIDER_ADDRS} addresses each. Thread-safe.
 */
final class RecordStore {

    static final int MAX_PROVIDERS_PER_KEY = 64;
    /** The largest value a peer may store: a DHT record names keys and peers, never bulk data. */
    static final int MAX_VALUE_BYTES = 16 * 1024;
    /** The bytes of all records together (keys and values); past it the least recently written go first. */
    static final long MAX_RECORD_BYTES = 16L * 1024 * 1024;
    /** Addresses kept per provider; a provider's further ones are dropped. */
    static final int MAX_PROVIDER_ADDRS = 8;

    private record Provider(KadPeer peer, Instant expires) {
    }

    private final Clock clock;
    private final Duration providerTtl;
    private final Cache<String, KadRecord> records;
    private final Cache<String, Map<PeerId, Provider>> providers;

    RecordStore(Clock clock, Duration recordTtl, Duration providerTtl, int maxKeys) {
        this.clock = clock;
        this.providerTtl = providerTtl;
        // by count and by bytes, so peers cannot fill the heap with large values (any peer may PUT_VALUE)
        this.records = Caffeine.newBuilder().maximumWeight(MAX_RECORD_BYTES)
                .weigher((String key, KadRecord r) -> key.length() + r.value().length).expireAfterWrite(recordTtl)
                .ticker(() -> clock.millis() * 1_000_000L).build();
        this.providers = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(providerTtl)
                .ticker(() -> clock.millis() * 1_000_000L).build();
    }

    /**
     * Stores a record under its key, stamped with the time received; replaces an older one.
     *
     * @throws KadException if its value is larger than {@link #MAX_VALUE_BYTES}
     */
    KadRecord put(KadRecord record) throws KadException {
        if (record.value().length > MAX_VALUE_BYTES) {
            throw new KadException("a record value of " + record.value().length + " bytes, above the "
                    + MAX_VALUE_BYTES + " taken");
        }
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
