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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two devices start from copies of one file, with the app as Debian's {@code sqlite3} beside two real nodes.
 * The laptop edits and deletes rows both copies had before the devices ever met, and the phone's clock runs an
 * hour ahead, so its untouched copies are "later" than the laptop's edits. The edits were made on top of a
 * copy identical to the phone's, so they are no conflict and hold on both devices, whichever syncs first
 * (docs/conflicts.md, "Rows two devices both had").
 */
class CopiesIT {

    @TempDir
    Path dir;

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    @ParameterizedTest(name = "the editing device syncs first: {0}")
    @ValueSource(booleans = {true, false})
    void editsOfRowsBothCopiesHadHoldAgainstTheOtherCopyWhoseClockRunsAhead(boolean editorSyncsFirst) throws IOException {
        SqliteCli laptopApp = new SqliteCli(dir.resolve("laptop.db"));
        laptopApp.exec("CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT, rating REAL, photo BLOB);"
                + "INSERT INTO notes VALUES ('a', 'one', 0.1 + 0.2, x'00ff'), ('b', 'two', NULL, NULL),"
                + " ('c', 'three', 3, NULL);");
        SqliteCli phoneApp = new SqliteCli(Files.copy(laptopApp.file(), dir.resolve("phone.db")));
        Node laptop = node("laptop", laptopApp);
        Node phone = node("phone", phoneApp, "spring.main.sources=io.p2psync.conflict.SkewedClock",
                "test.clock-skew=PT1H");
        laptop.pairWith(phone);
        phone.pairWith(laptop);
        // Both have sealed the rows they had (the first scan, run again here to wait for it).
        assertThat(laptop.post("/sync/rescan", "").status()).isEqualTo(200);
        assertThat(phone.post("/sync/rescan", "").status()).isEqualTo(200);

        laptopApp.exec("UPDATE notes SET title = 'two, edited on the laptop' WHERE id = 'b';"
                + "UPDATE notes SET rating = 0.5 WHERE id = 'a';"
                + "DELETE FROM notes WHERE id = 'c';");
        if (editorSyncsFirst) {
            laptop.syncNow();
            phone.syncNow();
        } else {
            phone.syncNow();
            laptop.syncNow();
        }

        List<String> expected = List.of("'a'|'one'|0.5|X'00FF'", "'b'|'two, edited on the laptop'|NULL|NULL");
        assertThat(laptopApp.dump("notes")).as("laptop").isEqualTo(expected);
        assertThat(phoneApp.dump("notes")).as("phone").isEqualTo(expected);
        assertThat(laptop.get("/conflicts").json().path("total").asLong()).as("conflicts on the laptop").isZero();
        assertThat(phone.get("/conflicts").json().path("total").asLong()).as("conflicts on the phone").isZero();
    }

    private Node node(String name, SqliteCli app, String... more) {
        List<String> props = new ArrayList<>(List.of("p2psync.database=" + app.file(), "p2psync.tables=notes",
                "p2psync.sync.auto=false"));
        props.addAll(List.of(more));
        Node n = Node.start(name, dir.resolve(name + "-data"), props.toArray(String[]::new));
        nodes.add(n);
        return n;
    }
}
