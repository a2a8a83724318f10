package io.p2psync.changes;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.storage.P2pSyncSettings;
import io.p2psync.identity.HybridLogicalClock;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.storage.SchemaMigrations;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import org.sqlite.SQLiteConfig;

/**
 * One device's change machinery (log, sealer, applier, triggers) on its own real SQLite file, wired by hand
 * without Spring so a test can run several devices in one JVM quickly. Hooks for the applier are added
 * with {@link #addBean}. Close it when done.
 */
public final class StandaloneDevice implements AutoCloseable {

    private final SingleConnectionDataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final DeviceIdentity identity;
    private final HybridLogicalClock clock;
    private final ChangeTracker tracker;
    private final ChangeSealer sealer;
    private final TrackedTables tables;
    private final RemoteChangeApplier applier;
    private final HeldEntries held;
    private final ReconciliationScan scan;
    private final SchemaFollower schema;
    private final UnscannedTables unscanned;
    private final StaticListableBeanFactory beans = new StaticListableBeanFactory();
    private final ChangeLog log;
    private final List<Object> committedEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param file      the SQLite file; migrated with Flyway unless it is a copy of a migrated file
     *                  (see {@link #copyOf}), which saves most of the start-up time
     * @param tables    user tables to track besides sync_kv (they must exist: create them in {@code schema})
     * @param wallClock this device's wall clock in ms (skew it to test clocks running ahead)
     * @param schema    SQL run before the triggers are installed, e.g. CREATE TABLE IF NOT EXISTS statements
     */
    public StandaloneDevice(Path file, List<String> tables, LongSupplier wallClock, List<String> schema) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        config.setBusyTimeout(10_000);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.enforceForeignKeys(false); // as the node's connections: remote entries never cascade
        config.setCacheSize(-Math.toIntExact(P2pSyncSettings.DEFAULT_CACHE_SIZE.toKilobytes())); // as the node's
        config.setGetGeneratedKeys(false); // as the node's
        this.dataSource = new SingleConnectionDataSource("jdbc:sqlite:" + file.toAbsolutePath(), true);
        this.dataSource.setConnectionProperties(config.toProperties());
        boolean migrated = jdbcHasTable(dataSource, SchemaMigrations.HISTORY_TABLE);
        if (!migrated) {
            SchemaMigrations.migrate(dataSource);
        }
        this.jdbc = JdbcClient.create(dataSource);
        JdbcTemplate template = new JdbcTemplate(dataSource);
        schema.forEach(sql -> jdbc.sql(sql).update());
        DataSourceTransactionManager manager = new DataSourceTransactionManager(dataSource);
        manager.addListener(new org.springframework.transaction.TransactionExecutionListener() {
            @Override
            public void afterCommit(org.springframework.transaction.TransactionExecution transaction, Throwable failure) {
                if (failure == null) {
                    commits.incrementAndGet();
                }
            }
        });
        this.tx = new TransactionTemplate(manager);
        this.identity = new DeviceIdentity(PrivateKey.generate());
        this.log = new ChangeLog(jdbc, template, this::heard);
        RowStates rows = new RowStates(jdbc, template);
        RowWriter writer = new RowWriter(jdbc, template);
        this.clock = new HybridLogicalClock(wallClock, log.lastHlcOf(identity.deviceId().toString()));
        // Tests may track tables whose key SQLite assigns: they opt in, as a user would.
        ColumnHistory history = new ColumnHistory(jdbc, template, tx);
        // Unlike a node, which scans every table at start before entries are applied to tables it (re)installed
        // triggers on, a device here leaves scans to the test; tables the schema follower finds re-created or new
        // are owed a scan as on a node.
        this.unscanned = new UnscannedTables();
        java.util.Set<String> installed = new java.util.LinkedHashSet<>();
        Map<String, TrackedTable> described = new TriggerInstaller(jdbc, tx,
                CaptureSettings.defaults().allowingAssignedKeys(tables)).install(tables, installed);
        this.tables = new TrackedTables(history.follow(described, installed));
        this.sealer = new ChangeSealer(template, log, rows, this.tables, identity, clock, this::heard);
        StagedEntries staged = new StagedEntries(jdbc);
        this.tracker = new ChangeTracker(sealer, log, new ChangeVerifier(jdbc), rows, staged, tx);
        // small pages, so tests of a few rows cross page boundaries
        this.scan = new ReconciliationScan(template, tx, sealer, this.tables,
                new CaptureSettings(List.of(), java.time.Duration.ZERO, 3, java.time.Duration.ofSeconds(10)), unscanned, event -> {
                    if (event instanceof TableScanned scanned) {
                        applier().tableScanned(scanned);
                    }
                });
        this.held = new HeldEntries(jdbc);
        this.applier = new RemoteChangeApplier(jdbc, tx, sealer, log, rows, writer, this.tables, clock, held, staged,
                beans.getBeanProvider(ConcurrentEditPolicy.class), beans.getBeanProvider(AppliedEntryListener.class),
                beans.getBeanProvider(RowLimits.class), beans.getBeanProvider(RefusedOrigins.class), this::heard,
                new CaptureReadiness(jdbc, this.tables, unscanned, java.time.Duration.ofMillis(100)));
        // As the node's capture poll does: follow the app's ALTER TABLEs and tell the applier, whose held
        // entries may now apply.
        this.schema = new SchemaFollower(template, new TriggerInstaller(jdbc, tx,
                CaptureSettings.defaults().allowingAssignedKeys(tables)), history, unscanned, this.tables,
                new P2pSyncSettings(file.getParent(), file, "standalone", tables, null, null), event -> {
                    if (event instanceof SchemaChanged changed) {
                        this.applier.schemaChanged(changed);
                    }
                });
    }

    /**
     * Makes {@code target} a copy of a migrated database with {@code schema} applied, made once per JVM and
     * schema in {@code templateDir}; open it with the constructor as usual. The copy has no device key or log:
     * every device opened on it is new.
     */
    public static synchronized Path copyOf(Path templateDir, List<String> schema, Path target) {
        Path template = templateDir.resolve("template-" + Integer.toHexString(schema.hashCode()) + ".db");
        try {
            if (!java.nio.file.Files.exists(template)) {
                new StandaloneDevice(template, List.of(), System::currentTimeMillis, schema).close();
            }
            java.nio.file.Files.copy(template, target);
            return target;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean jdbcHasTable(SingleConnectionDataSource ds, String table) {
        return JdbcClient.create(ds).sql("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
                .param(table).query(Integer.class).single() > 0;
    }

    /**
     * Keeps an event of the change machinery once its transaction commits, as the node's
     * {@code @TransactionalEventListener}s hear it (at once when published outside a transaction).
     */
    private void heard(Object event) {
        if (org.springframework.transaction.support.TransactionSynchronizationManager.isSynchronizationActive()) {
            org.springframework.transaction.support.TransactionSynchronizationManager.registerSynchronization(
                    new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            committedEvents.add(event);
                        }
                    });
        } else {
            committedEvents.add(event);
        }
    }

    /** Write transactions this device's transaction template committed so far. */
    public long commits() {
        return commits.get();
    }

    /** The {@link EntriesStored} and {@link LocalChangesSealed} events heard after their commit, in order. */
    public List<Object> committedEvents() {
        return committedEvents;
    }

    /** Registers a hook (a {@link ConcurrentEditPolicy}, an {@link AppliedEntryListener}) for the applier. */
    public void addBean(String name, Object bean) {
        beans.addBean(name, bean);
    }

    public String id() {
        return identity.deviceId().toString();
    }

    ChangeLog log() {
        return log;
    }

    public JdbcClient jdbc() {
        return jdbc;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    public TransactionTemplate tx() {
        return tx;
    }

    public HybridLogicalClock clock() {
        return clock;
    }

    public ChangeTracker tracker() {
        return tracker;
    }

    /** The sealer, for tests that seal batch by batch as the capture poller does. */
    ChangeSealer sealer() {
        return sealer;
    }

    /** Tables owed a reconciliation scan before entries are applied to them. */
    UnscannedTables unscanned() {
        return unscanned;
    }

    public TrackedTables tables() {
        return tables;
    }

    public HeldEntries held() {
        return held;
    }

    /** The reconciliation scan of this device, three rows per page. */
    public ReconciliationScan scan() {
        return scan;
    }

    public RemoteChangeApplier applier() {
        return applier;
    }

    /**
     * Follows a change of the app's schema as the node's capture poll does (new triggers, the tracked columns,
     * held entries retried), and scans the tables that became tracked; answers the tables it scanned.
     */
    public List<String> followSchema() {
        List<String> newlyTracked = schema.follow();
        if (!newlyTracked.isEmpty()) {
            scan.scan(newlyTracked);
        }
        return newlyTracked;
    }

    /** Follows a change of the app's schema as {@link #followSchema} does, leaving the owed scans to the caller. */
    public List<String> followSchemaWithoutScan() {
        return schema.follow();
    }

    /** Takes in what another device saw become of columns, as a round does from a peer's pull answer. */
    public java.util.Set<String> adoptFormerColumns(Map<String, FormerColumns> former) {
        return schema.adopt(former);
    }

    /** What a person says became of a column ({@code POST /sync/former-columns}). */
    public FormerColumns declare(String table, String column, String renamedTo) {
        return schema.declare(table, column, renamedTo, name -> held.waitsForColumn(table, name));
    }

    /** Runs SQL as the user's own program would (captured by the triggers) and seals it, in one transaction. */
    public void write(String sql, Object... params) {
        followSchema();
        tx.executeWithoutResult(s -> {
            jdbc.sql(sql).params(params).update();
            tracker.sealPending();
        });
    }

    /**
     * A device on {@code file}, whose schema the app (Debian's {@code sqlite3}) made first with {@code schema}, tracking
     * {@code table}: the app's tables and rows are there before the node, as with a real app.
     */
    public static StandaloneDevice onAppFile(Path file, String table, String schema) {
        new io.p2psync.testing.SqliteCli(file).exec(schema);
        return new StandaloneDevice(file, List.of(table), System::currentTimeMillis, List.of());
    }

    /** Closes each device that was opened (nulls are skipped), as a test's clean-up does. */
    public static void closeAll(StandaloneDevice... devices) {
        for (StandaloneDevice d : devices) {
            if (d != null) {
                d.close();
            }
        }
    }

    @Override
    public void close() {
        dataSource.destroy();
    }
}
