package io.p2psync.devices;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.storage.P2pSyncSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** What the start-up log says of the admin token: where it is and how it begins, never the whole of it. */
@ExtendWith(OutputCaptureExtension.class)
class DevicesConfigurationTest {

    @TempDir
    Path dataDir;

    @Test
    void logsWhereTheAdminTokenIsAndOnlyItsFirstCharacters(CapturedOutput output) {
        AdminToken token = new DevicesConfiguration().adminToken(new AdminSettings(null),
                new P2pSyncSettings(dataDir, null, "laptop", List.of(), Duration.ofMillis(200), null));
        String value = token.value();

        assertThat(output.getAll()).contains(dataDir.resolve("admin.token").toString())
                .contains("starts with " + value.substring(0, 4) + "…")
                .doesNotContain(value.substring(0, 8));
    }

    @Test
    void saysATokenSetByConfigurationIsSetThere(CapturedOutput output) {
        new DevicesConfiguration().adminToken(new AdminSettings("a-token-of-my-own"),
                new P2pSyncSettings(dataDir, null, "laptop", List.of(), Duration.ofMillis(200), null));

        assertThat(output.getAll()).contains("Admin token set by p2psync.admin-token").doesNotContain("my-own");
    }
}
