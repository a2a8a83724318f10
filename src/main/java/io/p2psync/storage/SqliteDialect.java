package io.p2psync.storage;

import org.springframework.data.jdbc.core.dialect.JdbcArrayColumns;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.relational.core.dialect.AbstractDialect;
import org.springframework.data.relational.core.dialect.LimitClause;
import org.springframework.data.relational.core.dialect.LockClause;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.LetterCasing;
import org.springframework.data.relational.core.sql.IdentifierProcessing.Quoting;
import org.springframework.data.relational.core.sql.LockOptions;

/**
 * The Spring Data JDBC dialect for SQLite, which Spring Data does not ship.
 *
 * <ul>
 *   <li>Paging is {@code LIMIT n OFFSET m} (SQLite has no {@code FETCH FIRST}); an offset alone is
 *       {@code LIMIT -1 OFFSET m}, SQLite's spelling of "no limit".</li>
 *   <li>There is no row locking ({@code FOR UPDATE}): SQLite locks the whole database, and every
 *       transaction here takes the write lock first (SqliteTransactionManager), so the lock clause is empty.</li>
 *   <li>Identifiers are quoted with double quotes and keep their case (SQLite compares them
 *       case-insensitively anyway).</li>
 *   <li>No array columns.</li>
 * </ul>
 */
public final class SqliteDialect extends AbstractDialect implements JdbcDialect {

    public static final SqliteDialect INSTANCE = new SqliteDialect();

    private static final IdentifierProcessing IDENTIFIERS = IdentifierProcessing.create(Quoting.ANSI, LetterCasing.AS_IS);

    private static final LimitClause LIMIT = new LimitClause() {
        @Override
        public String getLimit(long limit) {
            return "LIMIT " + limit;
        }

        @Override
        public String getOffset(long offset) {
            return "LIMIT -1 OFFSET " + offset;
        }

        @Override
        public String getLimitOffset(long limit, long offset) {
            return "LIMIT " + limit + " OFFSET " + offset;
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }
    };

    private static final LockClause NO_LOCK = new LockClause() {
        @Override
        public String getLock(LockOptions lockOptions) {
            return "";
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }
    };

    private SqliteDialect() {
    }

    @Override
    public String getName() {
        return "SQLite";
    }

    @Override
    public LimitClause limit() {
        return LIMIT;
    }

    @Override
    public LockClause lock() {
        return NO_LOCK;
    }

    @Override
    public IdentifierProcessing getIdentifierProcessing() {
        return IDENTIFIERS;
    }

    @Override
    public JdbcArrayColumns getArraySupport() {
        return JdbcArrayColumns.Unsupported.INSTANCE;
    }
}
