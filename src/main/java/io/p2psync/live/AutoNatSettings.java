package io.p2psync.live;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of reachability detection and the automatic relay, under {@code p2psync.libp2p.autonat}; see docs/relay.md.
 *
 * @param enabled ask the user's devices and named peers to dial this node back (AutoNAT, {@code /libp2p/autonat/1.0.0})
 *     and dial back those that ask; when this node turns out not to be reachable, hold reservations on relays among
 *     them by itself. Off: neither asks nor answers, and only {@code relay.reserve-on} is reserved on
 * @param interval how often reachability is checked again once known
 * @param retryInterval how often it is checked while still unknown (or after answers that disagree with it), and how
 *     often the node looks whether its addresses changed, which also starts a check
 * @param relays relays to hold a reservation on at once while not reachable, besides those of {@code relay.reserve-on}
 * @param privateAddresses also ask, and dial back, peers connected at a private, loopback or link-local IP. Off (the
 *     default), reachability is learned only from peers reached at a public IP: a device on the same LAN can dial
 *     this one back whether or not anyone outside the NAT can. For networks that are all one's own (tests)
 */
@ConfigurationProperties("p2psync.libp2p.autonat")
public record AutoNatSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("15m") Duration interval,
        @DefaultValue("30s") Duration retryInterval,
        @DefaultValue("2") int relays,
        @DefaultValue("false") boolean privateAddresses) {

    public AutoNatSettings {
        if (interval == null || interval.toMillis() < 100 || retryInterval == null || retryInterval.toMillis() < 100) {
            throw new IllegalArgumentException("p2psync.libp2p.autonat.interval and retry-interval must be at least 100ms");
        }
        if (relays < 0) {
            throw new IllegalArgumentException("p2psync.libp2p.autonat.relays must not be negative");
        }
    }
}
