package io.p2psync.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome;
import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RemoteChangeApplier;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Key-value writes that arrive in the seed protocol's form ({@code Put}/{@code Delete} with a wall-clock
 * timestamp and nothing else) are decided by the change log's clock, the hybrid clock of the entry that last
 * wrote the row, not by the wall-clock text in {@code sync_kv.timestamp}: so a late echo of a value can never
 * undo a change that was made on top of it, whatever the devices' wall clocks say.
 */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class SeedWritesTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
    }

    @Autowired
    KvService kv;
    @Autowired
    RemoteChangeApplier applier;
    @Autowired
    HybridLogicalClock clock;

    private final DeviceIdentity laptop = new DeviceIdentity(PrivateKey.generate());

    @Test
    void aLateEchoOfAValueNeverUndoesTheChangeMadeOnTopOfIt() {
        // The laptop's wall clock is an hour ahead: it writes k = v1 and this device takes the entry.
        Instant laptopTime = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        ChangeEntry v1 = laptopWrite("echo-key", "v1", laptopTime, 1, null);
        assertThat(applier.apply(List.of(v1), laptop.deviceId().toString()))
                .extracting(ApplyOutcome::result).containsExactly(ApplyOutcome.Result.APPLIED);

        // A person here changes it on top of v1; this device's wall clock is an hour behind the laptop's.
        kv.put("echo-key", "v2");

        // The laptop's seed-compat echo of v1 arrives late, with the laptop's (later) wall-clock timestamp.
        boolean written = kv.putIfNewer("echo-key", "v1", laptopTime);

        assertThat(written).as("the echo of a value this device already built on").isFalse();
        assertThat(kv.get("echo-key")).get().extracting(KvEntry::value).isEqualTo("v2");
    }

    @Test
    void aLateEchoOfADeleteNeverUndoesTheWriteMadeAfterIt() {
        Instant laptopTime = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        ChangeEntry v1 = laptopWrite("revived-key", "v1", laptopTime, 1, null);
        applier.apply(List.of(v1), laptop.deviceId().toString());
        kv.delete("revived-key");
        kv.put("revived-key", "written again here");

        assertThat(kv.deleteIfNewer("revived-key", laptopTime)).isFalse();
        assertThat(kv.get("revived-key")).get().extracting(KvEntry::value).isEqualTo("written again here");
    }

    @Test
    void aSeedWriteNewerThanTheRowsLastWriteTakesTheKeyAndLaterLocalWritesBeatIt() {
        kv.put("fresh-key", "here");
        // ten minutes past this device's clock (which other tests here may have moved ahead of its wall clock)
        Instant ahead = Instant.ofEpochMilli(HybridLogicalClock.wallMillis(clock.last())).plus(Duration.ofMinutes(10));

        assertThat(kv.putIfNewer("fresh-key", "from the seed", ahead)).isTrue();
        assertThat(kv.get("fresh-key")).get().extracting(KvEntry::value).isEqualTo("from the seed");
        assertThat(kv.putIfNewer("fresh-key", "from the seed", ahead)).as("an echo of the same write").isFalse();

        // The seed's stamp was observed: a write made here afterwards is later by the change log's clock,
        // even though this device's wall clock is still behind the seed's timestamp.
        kv.put("fresh-key", "after it, here");
        assertThat(kv.putIfNewer("fresh-key", "from the seed", ahead)).isFalse();
        assertThat(kv.get("fresh-key")).get().extracting(KvEntry::value).isEqualTo("after it, here");
    }

    @Test
    void aKeyNeverWrittenHereTakesAnySeedWrite() {
        assertThat(kv.putIfNewer("unknown-key", "first", Instant.parse("2001-01-01T00:00:00Z"))).isTrue();
        assertThat(kv.get("unknown-key")).get().extracting(KvEntry::value).isEqualTo("first");
    }

    private ChangeEntry laptopWrite(String key, String value, Instant at, long version, String prevHash) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", key);
        row.put("value", value);
        row.put("timestamp", at.toString());
        row.put("deleted_at", null);
        RowChange change = new RowChange("sync_kv", SqlValues.encodeKey(List.of(key)), Operation.INSERT, Kind.EDIT,
                SqlValues.encodeRow(row), null);
        return ChangeEntry.seal(laptop, version, HybridLogicalClock.pack(at.toEpochMilli(), 0), at.toEpochMilli(),
                change, VersionVector.EMPTY, prevHash);
    }
}
