package io.p2psync.registry.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.p2psync.registry.Announcement;
import io.p2psync.registry.CoordinatorHeartbeat;
import io.p2psync.registry.Presence;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry's database: networks, presence, coordinators and rate counters. It owns its connection pool and
 * migrates the schema with a Flyway instance of its own ({@code db/registry}, history in
 * {@value #HISTORY_TABLE}); the pool is never a Spring bean, so the node's own database is left alone. The SQL is
 * what SQLite and PostgreSQL both accept, and every decision that must hold across instances sharing a PostgreSQL
 * database (a replayed announcement, a name taken, a rate counted) is made by one statement in the database.
 * Thread-safe.
 */
public final class RegistryStore implements AutoCloseable {

    static final String HISTORY_TABLE = "registry_schema_history";
    private static final String LOCATION = "classpath:db/registry";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The answer to a network and its token. */
    public enum Access { GRANTED, UNKNOWN_NETWORK, WRONG_TOKEN }

    /** A network just made, with its token in the clear: shown once, stored only hashed. */
    public record NewNetwork(String networkId, String name, String token) {
    }

    private final HikariDataSource pool;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final boolean postgres;

    /**
     * Opens (and migrates) the database at {@code jdbcUrl}.
     *
     * @param username null or empty for none
     * @param password null or empty for none
     */
    public RegistryStore(String jdbcUrl, String username, String password, int maxPoolSize, JsonMapper json) {
        this.postgres = jdbcUrl.startsWith("jdbc:postgresql:");
        if (!postgres && !jdbcUrl.startsWith("jdbc:sqlite:")) {
            throw new IllegalArgumentException("the registry's datasource url is neither jdbc:postgresql: nor jdbc:sqlite:");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("registry");
        config.setJdbcUrl(jdbcUrl);
        if (username != null && !username.isEmpty()) {
            config.setUsername(username);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        if (postgres) {
            config.setMaximumPoolSize(maxPoolSize);
        } else {
            // one file: writers queue on SQLite's lock for up to busy_timeout instead of failing at once
            config.setMaximumPoolSize(Math.min(maxPoolSize, 4));
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "10000");
            config.addDataSourceProperty("synchronous", "NORMAL");
        }
        this.pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations(LOCATION).table(HISTORY_TABLE).load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.jdbc = new JdbcTemplate(pool);
        this.json = json;
    }

    /** Whether this store is on PostgreSQL (else SQLite). */
    public boolean postgres() {
        return postgres;
    }

    /** Makes a network with a fresh random token. */
    public NewNetwork createNetwork(String name, long now) {
        String id = "net-" + HexFormat.of().formatHex(random(8));
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
        jdbc.update("INSERT INTO registry_networks (network_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                id, name, hash(token), now);
        return new NewNetwork(id, name, token);
    }

    /** Whether {@code token} opens {@code networkId}. */
    public Access access(String networkId, String token) {
        List<String> hashes = jdbc.queryForList("SELECT token_hash FROM registry_networks WHERE network_id = ?",
                String.class, networkId);
        if (hashes.isEmpty()) {
            return Access.UNKNOWN_NETWORK;
        }
        return token != null && MessageDigest.isEqual(hashes.get(0).getBytes(StandardCharsets.US_ASCII),
                hash(token).getBytes(StandardCharsets.US_ASCII)) ? Access.GRANTED : Access.WRONG_TOKEN;
    }

    /** The network {@code token} belongs to, if any. */
    public Optional<String> networkOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        return jdbc.queryForList("SELECT network_id FROM registry_networks WHERE token_hash = ?", String.class,
                hash(token)).stream().findFirst();
    }

    /**
     * Takes an announcement unless the registry already holds one from the device signed at or after it.
     *
     * @return false if it was not taken (a replay, or older than the one held)
     * @throws org.springframework.dao.DuplicateKeyException if its name is bound to another device of the network
     */
    public boolean announce(String networkId, Announcement a, long now) {
        try {
            return upsertPresence(networkId, a, now);
        } catch (org.springframework.dao.DataAccessException e) {
            // the key is upserted, so the one unique constraint left to break is the name's; PostgreSQL reports it
            // as SQL state 23505, SQLite's driver as an uncategorized SQLITE_CONSTRAINT_UNIQUE
            Throwable cause = e.getMostSpecificCause();
            boolean unique = cause instanceof SQLException sql && ("23505".equals(sql.getSQLState())
                    || String.valueOf(sql.getMessage()).contains("SQLITE_CONSTRAINT_UNIQUE"));
            if (unique) {
                throw new org.springframework.dao.DuplicateKeyException("name taken", e);
            }
            throw e;
        }
    }

    private boolean upsertPresence(String networkId, Announcement a, long now) {
        int changed = jdbc.update("""
                INSERT INTO registry_presence (network_id, device_id, name, multiaddrs, rest_url, coordinators,
                                               signed_at, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (network_id, device_id) DO UPDATE SET
                    name = excluded.name, multiaddrs = excluded.multiaddrs, rest_url = excluded.rest_url,
                    coordinators = excluded.coordinators, signed_at = excluded.signed_at, last_seen = excluded.last_seen
                WHERE registry_presence.signed_at < excluded.signed_at""",
                networkId, a.deviceId(), a.name(), json.writeValueAsString(a.multiaddrs()), a.restUrl(),
                json.writeValueAsString(a.coordinators()), a.timestamp(), now);
        return changed > 0;
    }

    /** Takes a heartbeat unless one signed at or after it is held; false if not taken. */
    public boolean heartbeat(String networkId, CoordinatorHeartbeat h, long now) {
        int changed = jdbc.update("""
                INSERT INTO registry_coordinators (network_id, device_id, load, multiaddrs, signed_at, last_seen)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (network_id, device_id) DO UPDATE SET
                    load = excluded.load, multiaddrs = excluded.multiaddrs, signed_at = excluded.signed_at,
                    last_seen = excluded.last_seen
                WHERE registry_coordinators.signed_at < excluded.signed_at""",
                networkId, h.deviceId(), h.load(), json.writeValueAsString(h.multiaddrs()), h.timestamp(), now);
        return changed > 0;
    }

    /**
     * One device of a network, by device id or by the name bound to it.
     *
     * @param onlineSince devices (and coordinators) seen at or after this instant are online
     */
    public Optional<Presence> find(String networkId, String userId, boolean byDeviceId, long onlineSince) {
        String sql = "SELECT device_id, name, multiaddrs, rest_url, coordinators, last_seen FROM registry_presence"
                + " WHERE network_id = ? AND " + (byDeviceId ? "device_id" : "name") + " = ?";
        List<Row> rows = jdbc.query(sql, RegistryStore::row, networkId, userId);
        return rows.stream().findFirst().map(r -> presence(networkId, r, onlineSince));
    }

    /** The devices of a network seen at or after {@code onlineSince}, most recently seen first, at most {@code limit}. */
    public List<Presence> active(String networkId, long onlineSince, int limit) {
        List<Row> rows = jdbc.query("SELECT device_id, name, multiaddrs, rest_url, coordinators, last_seen"
                + " FROM registry_presence WHERE network_id = ? AND last_seen >= ? ORDER BY last_seen DESC, device_id"
                + " LIMIT ?", RegistryStore::row, networkId, onlineSince, limit);
        return rows.stream().map(r -> presence(networkId, r, onlineSince)).toList();
    }

    /**
     * Counts one request in {@code bucket}'s window starting at {@code windowStart}, a later window resetting the
     * count; answers the count in this window, this request included. One statement, so instances sharing the
     * database count together; an instance whose clock is a little behind counts into the current window rather
     * than resetting it.
     */
    public int hit(String bucket, long windowStart) {
        Integer hits = jdbc.queryForObject("""
                INSERT INTO registry_rate (bucket, window_start, hits) VALUES (?, ?, 1)
                ON CONFLICT (bucket) DO UPDATE SET
                    hits = CASE WHEN excluded.window_start > registry_rate.window_start
                                THEN 1 ELSE registry_rate.hits + 1 END,
                    window_start = CASE WHEN excluded.window_start > registry_rate.window_start
                                        THEN excluded.window_start ELSE registry_rate.window_start END
                RETURNING hits""", Integer.class, bucket, windowStart);
        return hits == null ? 1 : hits;
    }

    private Presence presence(String networkId, Row r, long onlineSince) {
        List<String> coordinatorIds = json.readValue(r.coordinators, STRINGS);
        return new Presence(r.deviceId, r.name, r.lastSeen >= onlineSince, Instant.ofEpochMilli(r.lastSeen),
                json.readValue(r.multiaddrs, STRINGS), r.restUrl, coordinators(networkId, coordinatorIds, onlineSince));
    }

    private List<Presence.Coordinator> coordinators(String networkId, List<String> ids, long onlineSince) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, Presence.Coordinator> known = new LinkedHashMap<>();
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        List<Object> args = new ArrayList<>();
        args.add(networkId);
        args.addAll(ids);
        jdbc.query("SELECT device_id, load, multiaddrs, last_seen FROM registry_coordinators WHERE network_id = ?"
                + " AND device_id IN (" + marks + ")", rs -> {
                    known.put(rs.getString(1), new Presence.Coordinator(rs.getString(1), rs.getLong(4) >= onlineSince,
                            rs.getInt(2), json.readValue(rs.getString(3), STRINGS)));
                }, args.toArray());
        return ids.stream().map(id -> known.getOrDefault(id, new Presence.Coordinator(id, false, null, List.of())))
                .toList();
    }

    private record Row(String deviceId, String name, String multiaddrs, String restUrl, String coordinators,
                       long lastSeen) {
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getLong(6));
    }

    /** The token's SHA-256, hex: what is stored and compared. */
    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** For tests and the benchmark: plain JDBC on the registry's database. */
    JdbcTemplate jdbc() {
        return jdbc;
    }

    @Override
    public void close() {
        pool.close();
    }
}
