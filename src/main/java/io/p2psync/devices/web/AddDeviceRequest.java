package io.p2psync.devices.web;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /devices}.
 *
 * @param deviceId the device's id ({@code 12D3KooW…})
 * @param name a name for people, optional
 * @param url base url of its REST API, optional (without one this device never calls it, but it may call)
 */
record AddDeviceRequest(
        @NotBlank @Size(max = 100) String deviceId,
        @Size(max = 100) String name,
        @Size(max = 2000) @Pattern(regexp = "https?://[^\\s/?#]+(/[^\\s?#]*)?", message = "must be an http(s) base url")
        String url) {
}
