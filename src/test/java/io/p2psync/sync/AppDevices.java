package io.p2psync.sync;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Devices as a user has them: an app (Debian's {@code sqlite3}) writing its own SQLite file, and a real node on
 * that file. Every app file gets the same schema and every node the same settings; closing closes the nodes.
 */
final class AppDevices implements AutoCloseable {

    private final Path dir;
    private final String schema;
    private final List<String> settings;
    private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param schema   the app's tables, run by {@code sqlite3} in each new file
     * @param settings node settings ({@code name=value}) for every node
     */
    AppDevices(Path dir, String schema, String... settings) {
        this.dir = dir;
        this.schema = schema;
        this.settings = List.of(settings);
    }

    /** The app of device {@code name}: its file, with the schema made. */
    SqliteCli app(String name) {
        SqliteCli app = new SqliteCli(dir.resolve(name + ".db"));
        app.exec(schema);
        return app;
    }

    /** A node named {@code name} on the app's file, with the common settings and {@code more}. */
    Node node(String name, SqliteCli app, String... more) {
        List<String> props = new ArrayList<>(settings);
        props.add("p2psync.database=" + app.file());
        props.addAll(List.of(more));
        Node n = Node.start(name, dir.resolve(name + "-data"), props.toArray(String[]::new));
        nodes.add(n);
        return n;
    }

    @Override
    public void close() {
        nodes.forEach(Node::close);
    }
}
