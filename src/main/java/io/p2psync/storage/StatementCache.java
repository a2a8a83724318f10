package io.p2psync.storage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps each SQLite connection's prepared statements for reuse, as a JDBC pool with statement pooling does:
 * sqlite-jdbc compiles a statement anew on every {@code prepareStatement}, and for the short statements of
 * sync (one row, one log entry, one row state) compiling costs as much as running. A statement handed out
 * is a stand-in whose {@code close()} resets the real one (parameters, batch, open result set) and puts it
 * back; a second user of the same SQL while the first still holds it gets a statement of its own, closed
 * for real after use. At most {@value #PER_CONNECTION} statements are kept per connection, least recently
 * used dropped first; closing the connection closes them all. Only {@code prepareStatement(String)} is
 * cached: statements asking for generated keys or other result set kinds are prepared as before.
 *
 * <p>Reusing a compiled statement is safe in SQLite: a statement that is reset holds no lock, and one whose
 * schema changed is compiled again by SQLite itself on its next step.
 */
final class StatementCache implements InvocationHandler {

    /** Statements kept per connection. */
    static final int PER_CONNECTION = 256;

    private final Connection connection;
    private final Map<String, Cached> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            if (size() > PER_CONNECTION && !eldest.getValue().inUse) {
                eldest.getValue().closeQuietly();
                return true;
            }
            return false;
        }
    };

    private StatementCache(Connection connection) {
        this.connection = connection;
    }

    /** {@code connection} with its prepared statements kept for reuse. */
    static Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new StatementCache(connection));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("prepareStatement") && args != null && args.length == 1) {
            return prepare((String) args[0]);
        }
        if (name.equals("close")) {
            statements.values().forEach(Cached::closeQuietly);
            statements.clear();
        } else if (name.equals("unwrap") && args[0] == Connection.class) {
            return connection;
        }
        return call(connection, method, args);
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        Cached cached = statements.get(sql);
        if (cached == null || cached.broken) {
            cached = new Cached(connection.prepareStatement(sql));
            statements.put(sql, cached);
        } else if (cached.inUse) {
            return connection.prepareStatement(sql); // a nested use of the same SQL: one of its own
        }
        cached.inUse = true;
        return cached.lend();
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** One kept statement, and the stand-in lent out while it is in use. */
    private static final class Cached {
        private final PreparedStatement statement;
        private boolean inUse;
        /** Set when a reset failed: the statement was closed and is replaced on its next use. */
        private boolean broken;
        private ResultSet open;

        Cached(PreparedStatement statement) {
            this.statement = statement;
        }

        PreparedStatement lend() {
            boolean[] closed = {false};
            return (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "close" -> {
                                if (!closed[0]) {
                                    closed[0] = true;
                                    giveBack();
                                }
                                return null;
                            }
                            case "isClosed" -> {
                                return closed[0];
                            }
                            case "unwrap" -> {
                                return args[0] == PreparedStatement.class ? statement : statement.unwrap((Class<?>) args[0]);
                            }
                            default -> {
                                if (closed[0]) {
                                    throw new SQLException("statement is closed");
                                }
                                Object result = call(statement, method, args);
                                if (result instanceof ResultSet rs) {
                                    open = rs;
                                }
                                return result;
                            }
                        }
                    });
        }

        /** Resets the statement for its next user; a statement that cannot be reset is closed for good. */
        private void giveBack() throws SQLException {
            try {
                if (open != null) {
                    open.close();
                    open = null;
                }
                statement.clearParameters();
                statement.clearBatch();
                inUse = false;
            } catch (SQLException e) {
                broken = true;
                closeQuietly();
                throw e;
            }
        }

        void closeQuietly() {
            try {
                statement.close();
            } catch (SQLException ignored) {
                // closing for good: nothing more to do with it
            }
        }
    }
}
