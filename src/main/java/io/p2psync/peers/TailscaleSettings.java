package io.p2psync.peers;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Suggesting tailnet devices as peers ({@code p2psync.tailscale.*}). Off by default.
 *
 * @param enabled whether to run the command at all (default false)
 * @param command the command and its arguments whose standard output is the JSON of
 *     {@code tailscale status --json} (default {@code tailscale status --json})
 * @param port the REST port assumed on the other devices, for the suggested url (default 8080)
 * @param timeout how long the command may run (default 5 s)
 */
@ConfigurationProperties("p2psync.tailscale")
public record TailscaleSettings(boolean enabled, List<String> command, Integer port, Duration timeout) {

    public TailscaleSettings {
        command = command == null || command.isEmpty() ? List.of("tailscale", "status", "--json") : List.copyOf(command);
        port = port == null ? 8080 : port;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("p2psync.tailscale.port must be 1 to 65535");
        }
        timeout = timeout == null || timeout.isNegative() || timeout.isZero() ? Duration.ofSeconds(5) : timeout;
    }
}
