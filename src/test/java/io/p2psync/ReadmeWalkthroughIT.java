package io.p2psync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's walkthrough as written: starts node A and node B from the built jar with the README's
 * start commands ({@code config/node-a.yml}, {@code config/node-b.yml}), only moved to free ports and a
 * temporary data directory, then runs every command of the {@code bash walkthrough} blocks with bash and
 * real curl, in order, in one shell, and checks each answer against the {@code # …} lines under it.
 */
class ReadmeWalkthroughIT {

    @TempDir
    Path dir;

    @Test
    void theReadmeWalkthroughGivesTheAnswersItShows() throws Exception {
        String readme = ReadmeScript.readme();
        List<String> starts = readme.lines()
                .filter(line -> line.startsWith("java -jar target/p2p-sync.jar --spring.config")).toList();
        assertThat(starts).as("the README starts node A and node B").hasSize(2);
        List<ReadmeScript.Step> steps = ReadmeScript.steps(readme, "walkthrough");
        assertThat(steps).as("walkthrough steps").hasSizeGreaterThan(10)
                .allSatisfy(step -> assertThat(step.expected()).as(step.command()).isNotBlank());

        int portA = ReadmeScript.freePort();
        int portB = ReadmeScript.freePort();
        try (ReadmeScript script = new ReadmeScript(dir, Path.of("."))) {
            // The README's own arguments; only the ports and the data directory differ here.
            Process a = script.start(starts.get(0), "node-a", List.of("--server.port=" + portA,
                    "--p2psync.libp2p.port=0", "--p2psync.data-dir=" + dir.resolve("node-a")));
            Process b = script.start(starts.get(1), "node-b", List.of("--server.port=" + portB,
                    "--p2psync.libp2p.port=0", "--p2psync.data-dir=" + dir.resolve("node-b")));
            script.awaitUp(a, "node-a", portA);
            script.awaitUp(b, "node-b", portB);

            script.runAndCheck(steps, text -> text.replace("localhost:8081", "localhost:" + portA)
                    .replace("localhost:8082", "localhost:" + portB));
            assertThat(Files.readString(script.log("node-a"))).as("node A's console started, then saw its input end")
                    .contains("p2p-sync console: type 'help' for the commands", "console: input ended");
        }
    }
}
