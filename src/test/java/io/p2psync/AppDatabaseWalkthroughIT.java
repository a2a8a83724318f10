package io.p2psync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's "Sync your app's database" as written, in an empty directory: the {@code bash app-setup}
 * block makes the app's two files with Debian's {@code sqlite3}, the README's two start commands start nodes
 * from the built jar on those files (moved to free ports only), and every command of the
 * {@code bash app-walkthrough} blocks runs in one bash, each answer checked against the lines under it.
 */
class AppDatabaseWalkthroughIT {

    @TempDir
    Path dir;

    @Test
    void theReadmeTakesAnExistingAppFileToTwoSyncedDevices() throws Exception {
        String readme = ReadmeScript.readme();
        List<ReadmeScript.Step> setup = ReadmeScript.steps(readme, "app-setup");
        List<String> starts = readme.lines()
                .filter(line -> line.startsWith("java -jar target/p2p-sync.jar --p2psync.database=")).toList();
        List<ReadmeScript.Step> steps = ReadmeScript.steps(readme, "app-walkthrough");
        assertThat(setup).as("the app's files are made by the README").isNotEmpty();
        assertThat(starts).as("the README starts the laptop's and the phone's node").hasSize(2);
        assertThat(steps).as("walkthrough steps").hasSizeGreaterThan(6);

        int laptopPort = ReadmeScript.freePort();
        int phonePort = ReadmeScript.freePort();
        try (ReadmeScript script = new ReadmeScript(dir, dir)) {
            script.runAndCheck(setup, text -> text);
            Process laptop = script.start(starts.get(0), "laptop", List.of("--server.port=" + laptopPort,
                    "--p2psync.libp2p.port=0"));
            Process phone = script.start(starts.get(1), "phone", List.of("--server.port=" + phonePort,
                    "--p2psync.libp2p.port=0"));
            script.awaitUp(laptop, "laptop", laptopPort);
            script.awaitUp(phone, "phone", phonePort);

            script.runAndCheck(steps, text -> text.replace("localhost:8081", "localhost:" + laptopPort)
                    .replace("localhost:8082", "localhost:" + phonePort));
        }
    }
}
