package io.p2psync.sync.web;

import io.p2psync.devices.AuthFailure;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the sync API as an RFC 9457 problem body with a stable type. Malformed JSON is 400,
 * a body over the limit (even one found out while decompressing) 413.
 */
@RestControllerAdvice(basePackageClasses = SyncProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class SyncProblems extends ResponseEntityExceptionHandler {

    static final URI MALFORMED_REQUEST = URI.create(AuthFailure.PROBLEM_BASE + "malformed-request");
    static final URI BODY_TOO_LARGE = URI.create(AuthFailure.PROBLEM_BASE + "body-too-large");
    static final URI TOO_MANY_ENTRIES = URI.create(AuthFailure.PROBLEM_BASE + "too-many-entries");
    static final URI UNSUPPORTED_ENCODING = URI.create(AuthFailure.PROBLEM_BASE + "unsupported-encoding");
    static final URI NO_SUCH_PEER = URI.create(AuthFailure.PROBLEM_BASE + "no-such-peer");

    static ErrorResponseException error(HttpStatus status, URI type, String title, String detail) {
        return new ErrorResponseException(status, problem(status, type, title, detail), null);
    }

    static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        body.setTitle(title);
        return body;
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable cause = ex;
        while (cause != null && !(cause instanceof BodyTooLargeException)) {
            cause = cause.getCause();
        }
        ProblemDetail body = cause != null
                ? problem(HttpStatus.PAYLOAD_TOO_LARGE, BODY_TOO_LARGE, "Request body too large", cause.getMessage())
                : problem(HttpStatus.BAD_REQUEST, MALFORMED_REQUEST, "Malformed request",
                        "the body is not a valid request: " + rootMessage(ex));
        return handleExceptionInternal(ex, body, headers, HttpStatusCode.valueOf(body.getStatus()), request);
    }

    private static String rootMessage(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        if (message == null) {
            return t.getClass().getSimpleName();
        }
        // Jackson messages carry the source location on further lines; the first line says what is wrong.
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
