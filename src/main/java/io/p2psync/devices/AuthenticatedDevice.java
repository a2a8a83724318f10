package io.p2psync.devices;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The authorized device whose signature a {@code /sync/**} request carried, put on the request by the
 * signature filter. Controllers take it with {@code @RequestAttribute(AuthenticatedDevice.ATTRIBUTE)}.
 */
public record AuthenticatedDevice(Device device) {

    public static final String ATTRIBUTE = "io.p2psync.devices.AuthenticatedDevice";

    public AuthenticatedDevice {
        if (device == null || !device.authorized()) {
            throw new IllegalArgumentException("only an authorized device can be authenticated");
        }
    }

    /** @throws IllegalStateException if the request did not pass the signature filter */
    public static AuthenticatedDevice of(HttpServletRequest request) {
        if (request.getAttribute(ATTRIBUTE) instanceof AuthenticatedDevice device) {
            return device;
        }
        throw new IllegalStateException("the request was not authenticated by the signature filter");
    }
}
