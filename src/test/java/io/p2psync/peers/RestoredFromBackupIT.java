package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's file put back to an older copy while its device key stays: the built jar refuses to start with one line
 * that says so and what to do, instead of signing new changes under versions the device already used (which every
 * device that had them records as a fork of this one). Following the line's last fix, the node starts again.
 */
class RestoredFromBackupIT {

    @TempDir
    Path dir;

    @Test
    void aFileRestoredFromAnOlderCopyIsRefusedBeforeAnythingIsSigned() throws Exception {
        Path data = dir.resolve("data");
        Path backup = dir.resolve("backup");
        Files.createDirectories(backup);
        try (JarNode node = new JarNode("restored", data, List.of("-Xmx256m"), List.of())) {
            node.start().awaitUp();
            put(node, "first");
            node.stop();
            copyFile(data, backup); // the backup: this device's version 1

            node.start().awaitUp();
            put(node, "second");
            put(node, "third");
            node.stop();
            copyFile(backup, data); // put back: the file ends at version 1, the device signed up to 3

            node.start();
            assertThat(node.awaitExit(Duration.ofSeconds(120))).as("exit code; log:\n%s", node.logText()).isNotZero();
            String log = node.logText();
            assertThat(log).contains("p2p-sync cannot start: p2psync.data-dir=" + data
                    + ": its log holds this device's changes up to version 1, but this device has signed up to version 3");
            assertThat(log).doesNotContain("Caused by");
            assertThat(log.lines().filter(l -> l.startsWith("p2p-sync cannot start")).toList()).singleElement()
                    .satisfies(line -> assertThat(line).contains("; fix: put back the newest copy of the file"));

            // the person knows no other device ever had versions 2 and 3 (here: none exists) and takes the last fix
            Files.delete(data.resolve("own-head"));
            node.start().awaitUp();
            put(node, "fourth");
            assertThat(node.send("GET", "/kv/fourth", null).body()).contains("value fourth");
        }
    }

    private static void put(JarNode node, String key) {
        assertThat(node.send("PUT", "/kv/" + key, "value " + key).statusCode()).isBetween(200, 299);
    }

    /** The node's SQLite file with its WAL, as a backup tool copies a stopped node's files. */
    private static void copyFile(Path from, Path to) throws Exception {
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path source = from.resolve("p2psync.db" + suffix);
            Path target = to.resolve("p2psync.db" + suffix);
            if (Files.exists(source)) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(target);
            }
        }
    }
}
