package io.p2psync.devices.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error of the device API (validation, malformed JSON, unknown device) as an RFC 9457
 * problem body.
 */
@RestControllerAdvice(basePackageClasses = DeviceController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DeviceProblems extends ResponseEntityExceptionHandler {
}
