package io.p2psync.devices;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of request authentication ({@code p2psync.devices.*}).
 *
 * @param signatureWindow how far a request's timestamp may be from this device's clock, either way
 * @param nonceCacheSize how many recent nonces are remembered to refuse replays; when full, requests older
 *     than the oldest remembered nonce are refused as stale
 * @param maxRequestBody the most bytes read from the wire for one signed request, before it is
 *     authenticated (compressed size, if compressed); more gets 413
 * @param maxPending the most devices listed as pending at once; past it, unknown callers still get 401 but
 *     are no longer recorded, so anyone able to make keys cannot fill the table
 * @param maxIntroduced the most origins one device may introduce (devices this one learns of only through
 *     entries it delivers); entries of a further new origin are refused ({@code origin-limit}) until an admin
 *     adds that origin, so one device cannot fill the device list and every pull with made-up origins
 */
@ConfigurationProperties("p2psync.devices")
public record DeviceSettings(
        @DefaultValue("5m") Duration signatureWindow,
        @DefaultValue("100000") int nonceCacheSize,
        @DefaultValue("32MB") DataSize maxRequestBody,
        @DefaultValue("100") int maxPending,
        @DefaultValue("64") int maxIntroduced) {

    public DeviceSettings {
        if (signatureWindow.isNegative() || signatureWindow.isZero()) {
            throw new IllegalArgumentException("p2psync.devices.signature-window must be positive");
        }
        if (maxIntroduced < 0) {
            throw new IllegalArgumentException("p2psync.devices.max-introduced must not be negative");
        }
        if (nonceCacheSize < 1) {
            throw new IllegalArgumentException("p2psync.devices.nonce-cache-size must be positive");
        }
    }
}
