package io.p2psync.devices;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param adminToken {@code p2psync.admin-token}: the bearer token admin callers from other addresses must
 *     send; when unset, one is made on first start and kept in {@code <data-dir>/admin.token}
 */
@ConfigurationProperties("p2psync")
public record AdminSettings(String adminToken) {
}
