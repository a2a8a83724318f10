package io.p2psync.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.sync.Node;
import io.p2psync.testing.SqliteCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two questions of identity for an app's own rows, with the app as Debian's {@code sqlite3} beside two real
 * nodes: rows two devices both had from the start are the same rows (no conflict), and rows that merely got
 * the same SQLite-assigned key are different rows (never one silently replacing the other).
 */
class AppKeysIT {

    @TempDir
    Path dir;

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    @Test
    void devicesStartingFromCopiesOfOneFileRaiseNoConflictForTheRowsTheyShare() throws IOException {
        SqliteCli laptopApp = new SqliteCli(dir.resolve("laptop.db"));
        laptopApp.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT, rating REAL, photo BLOB);"
                + "INSERT INTO notes VALUES ('a', 'one', 0.1 + 0.2, x'00ff'), ('b', 'two', NULL, NULL);");
        SqliteCli phoneApp = new SqliteCli(Files.copy(laptopApp.file(), dir.resolve("phone.db")));
        Node laptop = node("laptop", laptopApp, "notes");
        Node phone = node("phone", phoneApp, "notes");
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        phone.syncNow();
        laptop.syncNow();
        assertThat(laptopApp.dump("notes")).isEqualTo(phoneApp.dump("notes")).hasSize(2);
        assertThat(laptop.get("/conflicts").json().path("total").asLong()).as("conflicts on the laptop").isZero();
        assertThat(phone.get("/conflicts").json().path("total").asLong()).as("conflicts on the phone").isZero();

        // An edit of a shared row afterwards reaches the other device, and is no conflict there either (see
        // docs/conflicts.md, "Rows two devices both had"; CopiesIT edits before the devices ever met).
        phoneApp.exec("UPDATE notes SET title = 'two, edited' WHERE id = 'b';");
        phone.syncNow();
        assertThat(laptopApp.dump("notes")).isEqualTo(phoneApp.dump("notes"))
                .contains("'b'|'two, edited'|NULL|NULL");
        assertThat(laptop.get("/conflicts").json().path("total").asLong()).as("conflicts on the laptop").isZero();
    }

    @Test
    void twoNotebooksGivenTheSameAssignedKeyStayTwoNotebooks() {
        String schema = "CREATE TABLE notebooks (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);";
        SqliteCli laptopApp = new SqliteCli(dir.resolve("laptop.db"));
        SqliteCli phoneApp = new SqliteCli(dir.resolve("phone.db"));
        laptopApp.exec(schema);
        phoneApp.exec(schema);
        Node laptop = node("laptop", laptopApp, "notebooks", "p2psync.capture.assigned-keys=notebooks");
        Node phone = node("phone", phoneApp, "notebooks", "p2psync.capture.assigned-keys=notebooks");
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        // Apart, each app inserts without an id: SQLite gives both notebooks the id 1.
        laptopApp.exec("INSERT INTO notebooks (name) VALUES ('Work');");
        phoneApp.exec("INSERT INTO notebooks (name) VALUES ('Home');");
        phone.syncNow();

        assertThat(laptopApp.dump("notebooks")).as("no silent replacement").containsExactly("1|'Work'");
        assertThat(phoneApp.dump("notebooks")).containsExactly("1|'Home'");
        JsonNode conflict = pending(laptop);
        assertThat(conflict.path("kind").asString()).isEqualTo("key-collision");
        assertThat(conflict.path("remote").path("data").path("name").asString()).as("the other row is kept in the conflict")
                .isEqualTo("Home");
        assertThat(pending(phone).path("kind").asString()).isEqualTo("key-collision");

        // A person keeps both: the phone's notebook gets a new id assigned on the laptop, and that travels.
        Node.Response resolved = laptop.post("/conflicts/" + conflict.path("id").asLong() + "/resolve",
                "{\"strategy\":\"keep-both\"}");
        assertThat(resolved.status()).as("%s", resolved).isEqualTo(200);
        phone.syncNow();
        laptop.syncNow();

        assertThat(laptopApp.dump("notebooks")).containsExactlyInAnyOrder("1|'Work'", "2|'Home'");
        assertThat(phoneApp.dump("notebooks")).isEqualTo(laptopApp.dump("notebooks"));
    }

    private Node node(String name, SqliteCli app, String tables, String... more) {
        List<String> props = new ArrayList<>(List.of("p2psync.database=" + app.file(), "p2psync.tables=" + tables,
                "p2psync.sync.auto=false"));
        props.addAll(List.of(more));
        Node n = Node.start(name, dir.resolve(name + "-data"), props.toArray(String[]::new));
        nodes.add(n);
        return n;
    }

    private static JsonNode pending(Node n) {
        JsonNode items = n.get("/conflicts?status=pending").json().path("items");
        assertThat(items.size()).as("pending conflicts on %s: %s", n, items).isEqualTo(1);
        return items.get(0);
    }
}
