package io.p2psync.messaging;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of direct messages between devices, under {@code p2psync.messaging}.
 *
 * @param maxContentSize the largest message text, in UTF-8 bytes; larger ones are refused (HTTP 413, or
 *     {@code REFUSED} 413 on libp2p)
 * @param maxFrameSize the largest frame read from a stream; a longer one is refused before it is buffered
 * @param answerTimeout how long a request on a stream may wait for its answer (an ACK, PEER_FOUND, STORED)
 * @param routeTimeout the route-cache rung: how long dialling the cached addresses of a device may take
 * @param peerQueryTimeout the peer rung: how long asking connected devices (PEER_QUERY) and dialling what they
 *     answer may take
 * @param registryTimeout the registry rung (when a registry is configured): how long dialling the addresses it
 *     answers may take (the lookup itself has {@code p2psync.registry.timeout})
 * @param retryInterval how often messages still pending are sent again along the ladder
 * @param relayCopies how many connected devices a message for an offline device is handed to (STORE_MESSAGE)
 * @param retention how long a relay holds a message, and an origin retries one, before giving up
 * @param relayQuota messages this device holds for any one target device at once; more are refused (507)
 * @param queryRateLimit PEER_QUERY requests answered per peer per {@code queryRateWindow}; more are refused (429)
 * @param queryRateWindow the window of {@code queryRateLimit}
 */
@ConfigurationProperties("p2psync.messaging")
public record MessagingSettings(
        @DefaultValue("64KB") DataSize maxContentSize,
        @DefaultValue("256KB") DataSize maxFrameSize,
        @DefaultValue("5s") Duration answerTimeout,
        @DefaultValue("1s") Duration routeTimeout,
        @DefaultValue("2s") Duration peerQueryTimeout,
        @DefaultValue("2s") Duration registryTimeout,
        @DefaultValue("30s") Duration retryInterval,
        @DefaultValue("2") int relayCopies,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("1000") int relayQuota,
        @DefaultValue("20") int queryRateLimit,
        @DefaultValue("10s") Duration queryRateWindow) {

    public MessagingSettings {
        if (maxContentSize == null || maxContentSize.toBytes() < 1) {
            throw new IllegalArgumentException("p2psync.messaging.max-content-size must be positive");
        }
        if (maxFrameSize == null || maxFrameSize.toBytes() < 2 * maxContentSize.toBytes() + 4096
                || maxFrameSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("p2psync.messaging.max-frame-size must hold twice max-content-size "
                    + "plus 4KB (a message's JSON with its escapes) and be below 2GB");
        }
        for (Duration d : new Duration[] {answerTimeout, routeTimeout, peerQueryTimeout, registryTimeout,
                retryInterval, retention, queryRateWindow}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("p2psync.messaging timeouts, intervals and retention must be positive");
            }
        }
        if (relayCopies < 0 || relayQuota < 0 || queryRateLimit < 1) {
            throw new IllegalArgumentException("p2psync.messaging.relay-copies and relay-quota must be 0 or more, "
                    + "query-rate-limit positive");
        }
    }
}
