package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.storage.StartupProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mark of this device's last sealed entry, and the starts it refuses. */
class OwnHeadMarkTest {

    @TempDir
    Path dir;
    private StandaloneDevice device;

    @AfterEach
    void close() {
        StandaloneDevice.closeAll(device);
    }

    @Test
    void theMarkFollowsTheDevicesOwnEntriesAndALogThatWentBackIsRefused() throws Exception {
        device = new StandaloneDevice(dir.resolve("a.db"), List.of(), System::currentTimeMillis, List.of());
        OwnHeadMark mark = mark();
        assertThat(markText()).as("first start: the head, none yet").isEqualTo(device.id() + " 0 -");
        device.write("INSERT INTO sync_kv (key, value, timestamp) VALUES ('k1', 'v1', '2026-12-07T00:00:00Z')");
        device.write("INSERT INTO sync_kv (key, value, timestamp) VALUES ('k2', 'v2', '2026-12-07T00:00:01Z')");
        List<ChangeEntry> own = device.tracker().missingFrom(VersionVector.EMPTY, 10);
        mark.stored(new EntriesStored(own, null));
        mark.stored(new EntriesStored(own.subList(0, 1), "someone-else")); // brought back by a peer: never moves it back
        mark.close();
        ChangeEntry last = own.get(own.size() - 1);
        assertThat(markText()).isEqualTo(device.id() + " " + last.version() + " " + last.hash());

        mark().close(); // the same file: starts

        Files.writeString(dir.resolve(OwnHeadMark.FILE), device.id() + " " + (last.version() + 2) + " " + last.hash());
        assertThatThrownBy(this::mark).isInstanceOf(StartupProblem.class)
                .hasMessageContaining("its log holds this device's changes up to version " + last.version()
                        + ", but this device has signed up to version " + (last.version() + 2));

        Files.writeString(dir.resolve(OwnHeadMark.FILE), device.id() + " " + last.version() + " " + "00".repeat(32));
        assertThatThrownBy(this::mark).isInstanceOf(StartupProblem.class)
                .hasMessageContaining("its log holds another version " + last.version() + " of this device");

        Files.writeString(dir.resolve(OwnHeadMark.FILE), "another-key 99 " + "00".repeat(32));
        mark().close(); // a mark of another key (the key was replaced by hand) says nothing of this one

        Files.writeString(dir.resolve(OwnHeadMark.FILE), device.id() + " 99 -");
        mark().close(); // a mark edited by hand into something this version never writes is ignored, with a warning
    }

    @Test
    void ownEntriesAPeerBringsBackMoveTheMarkToo() throws Exception {
        device = new StandaloneDevice(dir.resolve("a.db"), List.of(), System::currentTimeMillis, List.of());
        OwnHeadMark mark = mark(); // started on an empty log: the mark says 0
        // stored as a round stores what a peer brings back (here made on this device's own key, as they were)
        device.write("INSERT INTO sync_kv (key, value, timestamp) VALUES ('k1', 'v1', '2026-12-07T00:00:00Z')");
        List<ChangeEntry> own = device.tracker().missingFrom(VersionVector.EMPTY, 10);
        mark.stored(new EntriesStored(own, "the-peer-that-kept-them"));
        mark.close();
        ChangeEntry last = own.get(own.size() - 1);
        assertThat(markText()).isEqualTo(device.id() + " " + last.version() + " " + last.hash());
    }

    private OwnHeadMark mark() {
        return new OwnHeadMark(dir, device.id(), device.log(), "p2psync.data-dir", dir.toString());
    }

    private String markText() throws Exception {
        return Files.readString(dir.resolve(OwnHeadMark.FILE), StandardCharsets.UTF_8).strip();
    }
}
