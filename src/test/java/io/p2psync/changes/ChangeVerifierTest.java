package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored log checked as a whole, now that an entry's previous hash is read from the entry before it. */
class ChangeVerifierTest {

    @TempDir
    Path dir;

    @Test
    void aMissingEntryAChangedHashAndChangedContentAreEachFoundWithTheirReason() {
        try (StandaloneDevice device = new StandaloneDevice(dir.resolve("n.db"), List.of("notes"),
                System::currentTimeMillis, List.of("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)"))) {
            for (int i = 1; i <= 6; i++) {
                device.write("INSERT INTO notes VALUES (?, ?)", i, "note " + i);
            }
            assertThat(device.tracker().verify()).isEmpty();

            device.jdbc().sql("DELETE FROM sync_log WHERE version = 2").update();
            device.jdbc().sql("UPDATE sync_log SET hash = zeroblob(32) WHERE version = 4").update();
            device.jdbc().sql("UPDATE sync_log SET change_data = replace(change_data, 'note 6', 'forged') WHERE version = 6")
                    .update();

            assertThat(device.tracker().verify()).extracting(f -> f.entry().version() + ": " + f.reason())
                    .containsExactly(
                            "3: version 3 follows version 1",
                            "4: hash does not match the content",
                            // its stored previous hash is gone: what it chains to is version 4's stored hash
                            "5: hash does not match the content",
                            "6: hash does not match the content");
        }
    }
}
