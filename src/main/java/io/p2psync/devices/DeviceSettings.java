package io.p2psync.devices;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of request authentication ({@code p2psync.devices.*}).
 *
 * @param signatureWindow how old a request's timestamp may be by this device's clock
 * @param futureSkew how far ahead of this device's clock a request's timestamp may be; small, because a
 *     request stamped ahead must be remembered (to refuse its replay) for that much longer
 * @param nonceCacheSize how many recent nonces are remembered in all, over every device
 * @param noncesPerDevice how many recent nonces are remembered per device; when a device's share is full, its
 *     requests older than its oldest remembered nonce are refused as stale (other devices are not affected)
 * @param maxRequestBody the most bytes read from the wire for one signed request (compressed size, if
 *     compressed); a larger declared length gets 413 before anything is read
 * @param bodyBudget the most request-body bytes held by all requests being read or handled at once; a request
 *     that does not fit gets 503 before its body is read. A body of unknown length counts as
 *     {@code maxRequestBody}
 * @param maxPending the most devices listed as pending at once; past it, unknown callers still get 401 but
 *     are no longer recorded, so anyone able to make keys cannot fill the table
 * @param maxIntroduced the most origins one device may introduce (devices this one learns of only through
 *     entries it delivers); entries of a further new origin are refused ({@code origin-limit}) until an admin
 *     adds that origin, so one device cannot fill the device list and every pull with made-up origins
 */
@ConfigurationProperties("p2psync.devices")
public record DeviceSettings(
        @DefaultValue("5m") Duration signatureWindow,
        @DefaultValue("30s") Duration futureSkew,
        @DefaultValue("100000") int nonceCacheSize,
        @DefaultValue("10000") int noncesPerDevice,
        @DefaultValue("32MB") DataSize maxRequestBody,
        @DefaultValue("64MB") DataSize bodyBudget,
        @DefaultValue("100") int maxPending,
        @DefaultValue("64") int maxIntroduced) {

    /** The largest body one request may carry: it is held in one array. */
    static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

    public DeviceSettings {
        if (signatureWindow.isNegative() || signatureWindow.isZero()) {
            throw new IllegalArgumentException("p2psync.devices.signature-window must be positive");
        }
        if (maxIntroduced < 0) {
            throw new IllegalArgumentException("p2psync.devices.max-introduced must not be negative");
        }
        if (futureSkew.isNegative()) {
            throw new IllegalArgumentException("p2psync.devices.future-skew must not be negative");
        }
        if (nonceCacheSize < 1 || noncesPerDevice < 1) {
            throw new IllegalArgumentException(
                    "p2psync.devices.nonce-cache-size and nonces-per-device must be positive");
        }
        if (maxRequestBody.toBytes() < 1 || maxRequestBody.toBytes() > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("p2psync.devices.max-request-body must be between 1 byte and "
                    + MAX_BODY_BYTES + " bytes (one Java array)");
        }
        if (bodyBudget.toBytes() < maxRequestBody.toBytes()) {
            throw new IllegalArgumentException("p2psync.devices.body-budget must hold at least one body of"
                    + " p2psync.devices.max-request-body");
        }
    }
}
