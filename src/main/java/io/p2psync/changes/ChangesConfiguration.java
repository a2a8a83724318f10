package io.p2psync.changes;

import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.storage.P2pSyncSettings;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Beans that read the schema, so they are made after the Flyway migrations ran. */
@Configuration(proxyBeanMethods = false)
class ChangesConfiguration {

    /**
     * Refuses a start on a file whose log holds fewer of this device's entries than it signed (restored from an older
     * copy); made before the clock every seal stamps with, so nothing is signed on such a log.
     */
    @Bean(destroyMethod = "close")
    @DependsOnDatabaseInitialization
    OwnHeadMark ownHeadMark(ChangeLog log, io.p2psync.identity.DeviceIdentity identity, P2pSyncSettings settings) {
        return new OwnHeadMark(settings.dataDir(), identity.deviceId().toString(), log,
                settings.databaseConfigured() ? "p2psync.database" : "p2psync.data-dir",
                settings.databaseConfigured() ? settings.databaseFile().toString() : settings.dataDir().toString());
    }

    /**
     * Starts after the last timestamp this device handed out, so its timestamps never go back across
     * restarts. Only its own entries: received ones are observed again as they arrive, and seeding from
     * them would let one far-ahead origin move this clock before anything was made on top of it.
     */
    @Bean
    @DependsOnDatabaseInitialization
    @DependsOn("ownHeadMark")
    HybridLogicalClock hybridLogicalClock(ChangeLog log, io.p2psync.identity.DeviceIdentity identity) {
        return new HybridLogicalClock(log.lastHlcOf(identity.deviceId().toString()));
    }

    @Bean
    @DependsOnDatabaseInitialization
    TriggerInstaller triggerInstaller(JdbcClient jdbc, TransactionTemplate tx, CaptureSettings settings) {
        return new TriggerInstaller(jdbc, tx, settings);
    }

    @Bean
    @DependsOnDatabaseInitialization
    ColumnHistory columnHistory(JdbcClient jdbc, JdbcTemplate template, TransactionTemplate tx) {
        return new ColumnHistory(jdbc, template, tx);
    }

    /** Installs the capture triggers at start-up; fails start-up if a configured table cannot be tracked. */
    @Bean
    @DependsOnDatabaseInitialization
    TrackedTables trackedTables(TriggerInstaller installer, ColumnHistory history, UnscannedTables unscanned,
                                P2pSyncSettings settings) {
        Set<String> installed = new LinkedHashSet<>();
        Map<String, TrackedTable> tables = installer.install(settings.tables(), installed);
        // Every table waits for the scan at start before entries are written to it: a table re-created while
        // the node was stopped, or before it crashed in the middle of the scan such a table was owed, looks no
        // different from one that was not.
        unscanned.add(tables.keySet());
        return new TrackedTables(history.follow(tables, installed));
    }

    @Bean
    UnscannedTables unscannedTables() {
        return new UnscannedTables();
    }

    @Bean
    CaptureReadiness captureReadiness(JdbcClient jdbc, TrackedTables tables, UnscannedTables unscanned,
                                      CaptureSettings settings) {
        // a scan at start, or a re-created table noticed at the next capture poll, usually takes moments
        return new CaptureReadiness(jdbc, tables, unscanned, settings.readinessWait());
    }
}
