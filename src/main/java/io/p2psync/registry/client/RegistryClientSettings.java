package io.p2psync.registry.client;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the registry client, under {@code p2psync.registry}. The client is on when {@code url} is set.
 *
 * @param url the registry's base url, e.g. {@code https://registry.example.org}; none: no registry
 * @param network the network id the registry's admin made for this family or team
 * @param token that network's bearer token
 * @param name a name to bind to this device in the network, by which others may look it up; none: the id only
 * @param restUrl the REST url to announce; none: {@code http://<server.address>:<port>}, or the first address of
 *     this machine's interfaces when the node listens on all of them
 * @param announceInterval how often this device announces itself (the registry's presence TTL should be a few of these)
 * @param timeout how long one call to the registry may take
 * @param backoff how long the client leaves the registry alone after it failed; doubled after each further failure
 * @param maxBackoff the longest such pause
 */
@ConfigurationProperties("p2psync.registry")
public record RegistryClientSettings(
        String url,
        String network,
        String token,
        String name,
        String restUrl,
        @DefaultValue("60s") Duration announceInterval,
        @DefaultValue("5s") Duration timeout,
        @DefaultValue("5s") Duration backoff,
        @DefaultValue("5m") Duration maxBackoff) {

    public RegistryClientSettings {
        if (url != null && !url.isBlank() && (blank(network) || blank(token))) {
            throw new IllegalArgumentException(
                    "p2psync.registry.url is set, so p2psync.registry.network and p2psync.registry.token must be too");
        }
        if (announceInterval.isNegative() || announceInterval.isZero()) {
            throw new IllegalArgumentException("p2psync.registry.announce-interval must be positive");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Whether a registry is configured. */
    public boolean enabled() {
        return url != null && !url.isBlank();
    }
}
