package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads and writes {@code sync_devices}. {@code is_authorized} is kept equal to {@code status = AUTHORIZED}
 * for readers of the seed schema.
 */
@Repository
public class DeviceRepository {

    private static final String COLUMNS =
            "device_id, device_name, url, status, introduced_by, last_address, last_sync_at, created_at";

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    DeviceRepository(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    public Optional<Device> find(PeerId deviceId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_devices WHERE device_id = ?")
                .param(deviceId.toString())
                .query(DeviceRepository::map)
                .optional();
    }

    public List<Device> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_devices ORDER BY id")
                .query(DeviceRepository::map)
                .list();
    }

    /** Every authorized device, with a url or known only by its id: the ones the live node keeps connected. */
    public List<Device> findAuthorized() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sync_devices WHERE status = 'AUTHORIZED' ORDER BY device_id")
                .query(DeviceRepository::map)
                .list();
    }

    public int countPending() {
        return jdbc.sql("SELECT count(*) FROM sync_devices WHERE status = 'PENDING'").query(Integer.class).single();
    }

    /** Records a device that called in for the first time; does nothing if it is known. */
    public void addPending(PeerId deviceId, String address, Instant now) {
        jdbc.sql("INSERT INTO sync_devices (device_id, public_key, status, is_authorized, last_address, created_at)"
                        + " VALUES (?, ?, 'PENDING', 0, ?, ?) ON CONFLICT (device_id) DO NOTHING")
                .params(deviceId.toString(), publicKeyHex(deviceId), address, iso(now))
                .update();
    }

    /**
     * Lists an origin first met through entries relayed by {@code relay}; does nothing if it is known.
     *
     * @return true if the device was new
     */
    public boolean introduce(PeerId origin, PeerId relay, Instant now) {
        return jdbc.sql("INSERT INTO sync_devices (device_id, public_key, status, is_authorized, introduced_by,"
                        + " created_at) VALUES (?, ?, 'INTRODUCED', 0, ?, ?) ON CONFLICT (device_id) DO NOTHING")
                .params(origin.toString(), publicKeyHex(origin), relay.toString(), iso(now))
                .update() == 1;
    }

    /**
     * Adds a device as authorized, or authorizes a known one and sets its name and url.
     *
     * @return true if the device was new
     */
    public boolean addAuthorized(PeerId deviceId, String name, String url, Instant now) {
        boolean known = find(deviceId).isPresent();
        jdbc.sql("INSERT INTO sync_devices (device_id, device_name, url, public_key, status, is_authorized,"
                        + " created_at) VALUES (?, ?, ?, ?, 'AUTHORIZED', 1, ?) ON CONFLICT (device_id) DO UPDATE SET"
                        + " device_name = excluded.device_name, url = excluded.url, status = 'AUTHORIZED',"
                        + " is_authorized = 1, introduced_by = NULL")
                .params(deviceId.toString(), name, url, publicKeyHex(deviceId), iso(now))
                .update();
        events.publishEvent(new DeviceChanged(deviceId));
        return !known;
    }

    /** @return false if the device is unknown */
    public boolean setStatus(PeerId deviceId, DeviceStatus status) {
        return changed(deviceId, jdbc.sql("UPDATE sync_devices SET status = ?, is_authorized = ? WHERE device_id = ?")
                .params(status.name(), status == DeviceStatus.AUTHORIZED ? 1 : 0, deviceId.toString())
                .update() == 1);
    }

    /** @return false if the device is unknown */
    public boolean delete(PeerId deviceId) {
        return changed(deviceId,
                jdbc.sql("DELETE FROM sync_devices WHERE device_id = ?").param(deviceId.toString()).update() == 1);
    }

    private boolean changed(PeerId deviceId, boolean changed) {
        if (changed) {
            events.publishEvent(new DeviceChanged(deviceId));
        }
        return changed;
    }

    /** Notes that an authenticated request came from {@code address}. */
    public void recordAddress(PeerId deviceId, String address) {
        jdbc.sql("UPDATE sync_devices SET last_address = ? WHERE device_id = ? AND last_address IS NOT ?")
                .params(address, deviceId.toString(), address)
                .update();
    }

    /** Notes a completed pull or push with the device. */
    public void recordSync(PeerId deviceId, Instant at) {
        jdbc.sql("UPDATE sync_devices SET last_sync_at = ? WHERE device_id = ?")
                .params(iso(at), deviceId.toString())
                .update();
    }

    /**
     * True if entries made by {@code origin} must be refused: its id, or its key under any id, is revoked
     * (revocation is of the key: a key has one id, but a row listed before ids were read strictly may name
     * another).
     */
    public boolean isRevoked(PeerId origin) {
        return jdbc.sql("SELECT count(*) FROM sync_devices WHERE status = 'REVOKED' AND (device_id = ?"
                        + " OR public_key = ?)")
                .params(origin.toString(), publicKeyHex(origin))
                .query(Integer.class)
                .single() > 0;
    }

    /** How many devices are listed as introduced by {@code relay}. */
    public int countIntroducedBy(PeerId relay) {
        return jdbc.sql("SELECT count(*) FROM sync_devices WHERE status = 'INTRODUCED' AND introduced_by = ?")
                .param(relay.toString())
                .query(Integer.class)
                .single();
    }

    /** Timestamps are ISO-8601 UTC text with millisecond precision, like the rest of the schema. */
    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String publicKeyHex(PeerId id) {
        return id.publicKey().map(k -> HexFormat.of().formatHex(k.raw())).orElse(null);
    }

    private static Device map(ResultSet rs, int row) throws SQLException {
        String introducedBy = rs.getString("introduced_by");
        return new Device(
                PeerId.parse(rs.getString("device_id")),
                rs.getString("device_name"),
                rs.getString("url"),
                DeviceStatus.valueOf(rs.getString("status")),
                introducedBy == null ? null : PeerId.parse(introducedBy),
                rs.getString("last_address"),
                instant(rs.getObject("last_sync_at")),
                instant(rs.getObject("created_at")));
    }

    /** Accepts Unix milliseconds, ISO-8601 or SQLite's {@code CURRENT_TIMESTAMP} text. */
    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        String text = value.toString();
        if (text.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(Long.parseLong(text));
        }
        if (text.endsWith("Z")) {
            return Instant.parse(text);
        }
        return LocalDateTime.parse(text.replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                .toInstant(ZoneOffset.UTC);
    }
}
