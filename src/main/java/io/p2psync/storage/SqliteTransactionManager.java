package io.p2psync.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Spring transactions on SQLite that take the write lock first, without sqlite-jdbc's {@code IMMEDIATE}
 * transaction mode.
 *
 * <p>Why not that mode: sqlite-jdbc begins the next transaction right inside {@code commit()}, so with
 * {@code BEGIN IMMEDIATE} every commit queues for the write lock again. When another writer (the app, say)
 * holds the lock past the busy timeout, {@code commit()} throws although the data is committed, and a failed
 * {@code BEGIN IMMEDIATE} in {@code setAutoCommit(false)} leaves the connection flagged as "in a transaction"
 * while SQLite is in autocommit mode: the next transaction on that pooled connection then runs each
 * statement on its own and fails at commit with "cannot commit - no transaction is active" (seen in
 * AutoSyncFaultIT). With plain deferred {@code BEGIN}, beginning never waits or fails.
 *
 * <p>The lock is still taken up front: the first statement of every read-write transaction is a write
 * ({@link #TAKE_WRITE_LOCK}), which waits for the lock for at most the busy timeout. So a transaction that
 * reads and then writes can never fail by upgrading a read snapshot while another connection wrote (WAL's
 * {@code SQLITE_BUSY_SNAPSHOT}, which no busy timeout retries). If the lock does not come, the transaction
 * fails to begin and the connection goes back to the pool clean.
 */
class SqliteTransactionManager extends JdbcTransactionManager {

    /** Changes nothing, but makes SQLite take the write lock for this transaction. */
    static final String TAKE_WRITE_LOCK = "UPDATE sync_apply_guard SET applying = applying WHERE id = 1";

    private final WalCheckpoints checkpoints;

    SqliteTransactionManager(DataSource dataSource, WalCheckpoints checkpoints) {
        super(dataSource);
        this.checkpoints = checkpoints;
    }

    @Override
    protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition) throws SQLException {
        super.prepareTransactionalConnection(con, definition);
        if (!definition.isReadOnly()) {
            // prepared, so the node's connections keep it compiled (StatementCache): it runs in every transaction
            try (PreparedStatement statement = con.prepareStatement(TAKE_WRITE_LOCK)) {
                statement.executeUpdate();
            }
        }
    }

    /** Commits, then leaves the WAL checkpoint to {@link WalCheckpoints}' thread rather than this one. */
    @Override
    protected void doCommit(DefaultTransactionStatus status) {
        super.doCommit(status);
        checkpoints.afterCommit();
    }
}
