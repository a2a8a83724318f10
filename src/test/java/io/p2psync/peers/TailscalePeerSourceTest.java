package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailscalePeerSourceTest {

    @TempDir
    Path dir;

    @Test
    void readsTheOtherDevicesOfTheTailnetThroughTheConfiguredCommand() throws IOException {
        Path status = recordedStatus();
        Path script = script("fake-tailscale", "#!/bin/sh\n"
                + "[ \"$1 $2\" = \"status --json\" ] || { echo \"unexpected: $*\" >&2; exit 2; }\n"
                + "cat '" + status + "'\n");
        var source = new TailscalePeerSource(
                new TailscaleSettings(true, List.of(script.toString(), "status", "--json"), 8080, null));

        List<TailnetDevice> devices = source.devices();

        assertThat(devices).containsExactly(
                new TailnetDevice("home-server", "home-server.tail3a5c1.ts.net", "linux", "127.0.64.2", true),
                new TailnetDevice("pixel-7", "pixel-7.tail3a5c1.ts.net", "android", "127.0.88.59", false));
        assertThat(devices.get(0).url(source.port())).isEqualTo(URI.create("http://127.0.64.2:8080"));
    }

    @Test
    void suggestsNothingWhenOff() throws IOException {
        Path marker = dir.resolve("ran");
        Path script = script("must-not-run", "#!/bin/sh\ntouch '" + marker + "'\n");
        var source = new TailscalePeerSource(new TailscaleSettings(false, List.of(script.toString()), null, null));

        assertThat(source.devices()).isEmpty();
        assertThat(marker).doesNotExist();
    }

    @Test
    void suggestsNothingWhenTheCommandFailsPrintsGarbageOrHangs() throws IOException {
        Path failing = script("failing", "#!/bin/sh\necho 'failed to connect to local tailscaled' >&2\nexit 1\n");
        Path garbage = script("garbage", "#!/bin/sh\necho 'Tailscale is stopped.'\n");
        Path hanging = script("hanging", "#!/bin/sh\nexec sleep 30\n");

        for (Path script : List.of(failing, garbage, hanging)) {
            var source = new TailscalePeerSource(new TailscaleSettings(true, List.of(script.toString()), null,
                    Duration.ofMillis(500)));
            assertThat(source.devices()).as(script.getFileName().toString()).isEmpty();
        }
    }

    @Test
    void aTailnetOfOneHasNoSuggestions() {
        assertThat(TailscalePeerSource.parse("{\"BackendState\":\"Running\",\"Peer\":null}")).isEmpty();
    }

    @Test
    void rejectsJsonThatIsNotATailscaleStatus() {
        assertThatThrownBy(() -> TailscalePeerSource.parse("[1,2]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a tailscale status");
        assertThatThrownBy(() -> TailscalePeerSource.parse("{\"Peer\":"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    }

    private Path recordedStatus() throws IOException {
        Path file = dir.resolve("status.json");
        try (var in = getClass().getResourceAsStream("/peers/tailscale-status.json")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private Path script(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
