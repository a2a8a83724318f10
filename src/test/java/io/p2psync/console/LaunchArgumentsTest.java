package io.p2psync.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LaunchArgumentsTest {

    @Test
    void translatesTheSeedCommandLine() {
        assertThat(LaunchArguments.toSpringArguments("start", "--port", "4002", "--http-port", "8082", "--no-console"))
                .containsExactly("--p2psync.libp2p.port=4002", "--server.port=8082", "--p2psync.console.enabled=false");
    }

    @Test
    void acceptsTheEqualsFormAndPassesSpringPropertiesThrough() {
        assertThat(LaunchArguments.toSpringArguments("--port=4003", "--p2psync.data-dir=/tmp/x"))
                .containsExactly("--p2psync.libp2p.port=4003", "--p2psync.data-dir=/tmp/x");
    }

    @Test
    void removeIsACommandOfItsOwnWithTheSameFlags() {
        assertThat(LaunchArguments.command("remove", "--database", "app.db")).isEqualTo(LaunchArguments.Command.REMOVE);
        assertThat(LaunchArguments.toSpringArguments("remove", "--database", "app.db", "--data-dir=d"))
                .containsExactly("--p2psync.database=app.db", "--p2psync.data-dir=d");
        assertThat(LaunchArguments.command("start", "--port", "1")).isEqualTo(LaunchArguments.Command.START);
        assertThat(LaunchArguments.command("--database=remove")).isEqualTo(LaunchArguments.Command.START);
    }

    @Test
    void aBareLaunchStartsANodeWithDefaults() {
        assertThat(LaunchArguments.command()).isEqualTo(LaunchArguments.Command.START);
        assertThat(LaunchArguments.toSpringArguments()).isEmpty();
    }

    @Test
    void saysWhatIsMissingWhenAFlagHasNoValue() {
        assertThatThrownBy(() -> LaunchArguments.toSpringArguments("start", "--port"))
                .hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> LaunchArguments.toSpringArguments("--http-port", "--no-console"))
                .hasMessageContaining("--http-port needs a value");
    }
}
