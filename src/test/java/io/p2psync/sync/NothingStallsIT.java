package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The stall reported in issue 12, as a user met it: a laptop and a phone run a notes app (Debian's
 * {@code sqlite3}, writing the same files as two real nodes). While they are apart the laptop deletes a
 * notebook with foreign keys on (the cascade removes its notes), the phone adds a note to it, and both add
 * a user with the same e-mail under different keys. Before, the first entry that could not be written stopped
 * every later change of its origin for good while {@code /peers} said IN_SYNC. Now the clash and the orphan
 * are conflicts for a person, the entry that cannot be written is held and shown, and later changes flow.
 */
class NothingStallsIT {

    private static final String SCHEMA = """
            CREATE TABLE notebooks (id TEXT PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE notes (id TEXT PRIMARY KEY, notebook_id TEXT REFERENCES notebooks (id) ON DELETE CASCADE,
                                body TEXT);
            CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE);
            CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);""";
    private static final String TABLES = "p2psync.tables=notebooks,notes,users,settings";

    @TempDir
    Path dir;

    private AppDevices devices;

    @BeforeEach
    void apps() {
        devices = new AppDevices(dir, SCHEMA, TABLES, "p2psync.sync.auto=false");
    }

    @AfterEach
    void stop() {
        devices.close();
    }

    @Test
    void aCascadeDeleteAndAUniqueClashBecomeConflictsAndLaterChangesKeepFlowing() {
        SqliteCli laptopApp = devices.app("laptop");
        SqliteCli phoneApp = devices.app("phone");
        Node laptop = devices.node("laptop", laptopApp);
        Node phone = devices.node("phone", phoneApp);
        laptop.pairWith(phone);
        phone.pairWith(laptop);

        laptopApp.exec("INSERT INTO notebooks VALUES ('nb1', 'Trips');"
                + "INSERT INTO notes VALUES ('n1', 'nb1', 'pack the tent');");
        phone.syncNow();
        assertThat(phoneApp.dump("notes")).containsExactly("'n1'|'nb1'|'pack the tent'");

        // Apart: the laptop deletes the notebook (its app has foreign keys on, so n1 goes too); the phone adds
        // a note to it; each adds a user with the same e-mail under its own key.
        laptopApp.exec("PRAGMA foreign_keys = ON; DELETE FROM notebooks WHERE id = 'nb1';"
                + "INSERT INTO users VALUES ('u-laptop', 'ana@example.org');");
        phoneApp.exec("INSERT INTO notes VALUES ('n2', 'nb1', 'buy a map');"
                + "INSERT INTO users VALUES ('u-phone', 'ana@example.org');");
        assertThat(laptopApp.dump("notes")).as("the laptop's app cascaded the delete").isEmpty();

        JsonNode round = phone.syncNow();
        assertThat(round.get(0).path("completed").asBoolean()).as("the round completes: %s", round).isTrue();
        assertThat(round.get(0).path("held").asInt()).as("the clashing user is held, and said so: %s", round)
                .isPositive();

        // Later changes from the phone still arrive, whatever is held.
        phoneApp.exec("INSERT INTO settings VALUES ('theme', 'dark');");
        phone.syncNow();
        assertThat(laptopApp.dump("settings")).containsExactly("'theme'|'dark'");
        laptopApp.exec("UPDATE settings SET value = 'light' WHERE key = 'theme';");
        phone.syncNow();
        assertThat(phoneApp.dump("settings")).containsExactly("'theme'|'light'");

        // Nothing was cascaded on the phone by applying the laptop's delete: its own note stays, as an orphan
        // a person decides about, and the clash is a conflict on both sides, not a silent replacement.
        assertThat(phoneApp.dump("notes")).containsExactly("'n2'|'nb1'|'buy a map'");
        assertThat(phoneApp.dump("users")).containsExactly("'u-phone'|'ana@example.org'");
        assertThat(laptopApp.dump("users")).containsExactly("'u-laptop'|'ana@example.org'");
        assertThat(pendingKinds(phone)).contains("orphan");
        assertThat(pendingKinds(laptop)).contains("unique", "orphan");

        // /peers does not call a peer in sync while what it delivered is held.
        JsonNode peers = laptop.get("/peers").json();
        JsonNode fromPhone = null;
        for (JsonNode p : peers) {
            if (phone.id.toString().equals(p.path("deviceId").asString())) {
                fromPhone = p;
            }
        }
        assertThat(fromPhone).as("the laptop lists the phone: %s", peers).isNotNull();
        assertThat(fromPhone.path("held").asLong()).as("held from the phone: %s", fromPhone).isPositive();
        assertThat(fromPhone.path("status").asString()).isNotEqualTo("IN_SYNC");
        assertThat(laptop.get("/sync/held").body()).contains("unique");
    }

    private static List<String> pendingKinds(Node n) {
        List<String> kinds = new ArrayList<>();
        for (JsonNode c : n.get("/conflicts?status=pending").json().path("items")) {
            kinds.add(c.path("kind").asString());
        }
        return kinds;
    }
}
