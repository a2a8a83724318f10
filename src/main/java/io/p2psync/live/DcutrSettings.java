package io.p2psync.live;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of hole punching, under {@code p2psync.libp2p.dcutr}; see docs/relay.md.
 *
 * @param enabled upgrade relayed connections to direct ones with DCUtR ({@code /libp2p/dcutr}), and answer peers
 *     that ask to; off, a relayed connection stays relayed and the protocol is not served
 */
@ConfigurationProperties("p2psync.libp2p.dcutr")
public record DcutrSettings(@DefaultValue("true") boolean enabled) {
}
