package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A scan clears a table's mark only if no new mark came while it ran. */
class UnscannedTablesTest {

    @Test
    void aMarkThatCameDuringTheScanStays() {
        UnscannedTables unscanned = new UnscannedTables();
        unscanned.add(List.of("notes"));
        long atStart = unscanned.mark("notes");
        unscanned.add(List.of("notes")); // the app re-created the table while the scan ran

        assertThat(unscanned.scanned("notes", atStart)).isFalse();
        assertThat(unscanned.contains("notes")).isTrue();
        assertThat(unscanned.scanned("notes", unscanned.mark("notes"))).isTrue();
        assertThat(unscanned.contains("notes")).isFalse();
        assertThat(unscanned.scanned("notes", unscanned.mark("notes"))).as("nothing owed, nothing cleared").isFalse();
    }
}
