package io.p2psync.sync.web;

import io.p2psync.devices.AuthFailure;
import io.p2psync.sync.SyncRefusal;
import io.p2psync.sync.TryAgain;
import io.p2psync.wire.WireFormat;
import java.net.URI;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every error of the sync API as an RFC 9457 problem body with a stable type. Malformed JSON is 400,
 * a body over the limit (even one found out while decompressing) 413. Deliberately not a
 * {@code ResponseEntityExceptionHandler}: a bean of that type would switch off Spring Boot's
 * application-wide problem-details handler that the other features rely on.
 */
@RestControllerAdvice(basePackageClasses = SyncProblems.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class SyncProblems {

    static final URI MALFORMED_REQUEST = URI.create(AuthFailure.PROBLEM_BASE + "malformed-request");
    static final URI BODY_TOO_LARGE = URI.create(AuthFailure.PROBLEM_BASE + "body-too-large");
    static final URI UNSUPPORTED_ENCODING = URI.create(AuthFailure.PROBLEM_BASE + "unsupported-encoding");
    static final URI UNSUPPORTED_FORMAT = URI.create(AuthFailure.PROBLEM_BASE + "unsupported-format");
    static final URI NO_SUCH_FORK = URI.create(AuthFailure.PROBLEM_BASE + "no-such-fork");
    static final URI TRY_AGAIN = URI.create(AuthFailure.PROBLEM_BASE + TryAgain.TYPE);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SyncProblems.class);

    static ErrorResponseException error(HttpStatus status, URI type, String title, String detail) {
        return new ErrorResponseException(status, problem(status, type, title, detail), null);
    }

    /** The problem of a request {@code SyncService} refused, with the same type as REST has always sent. */
    static ErrorResponseException error(SyncRefusal refusal) {
        HttpStatus status = HttpStatus.valueOf(refusal.status());
        return error(status, URI.create(AuthFailure.PROBLEM_BASE + refusal.type()), refusal.title(), refusal.detail());
    }

    static ProblemDetail problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        body.setTitle(title);
        return body;
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> errorResponse(ErrorResponseException e) {
        return ResponseEntity.status(e.getStatusCode()).body(e.getBody());
    }

    /**
     * A refusal for now, not a fault ({@link TryAgain}): SQLite stayed busy past the busy timeout as the transaction
     * began, or a table may hold writes of the app no trigger saw and the node has not sealed them yet. Nothing of
     * the request was applied (each part is all or nothing; parts before it stay applied and are answered again as
     * duplicates), and the same request succeeds later: 503 with {@code Retry-After}, a warning in the log, not the
     * 500 and stack trace of a bug. A transaction that could not begin for another reason (a file that cannot be
     * opened or written) is a fault, a 500 with its stack logged.
     */
    @ExceptionHandler({io.p2psync.changes.CaptureNotReady.class,
            org.springframework.transaction.CannotCreateTransactionException.class})
    ResponseEntity<ProblemDetail> notNow(RuntimeException e) {
        java.util.Optional<String> notNow = TryAgain.why(e);
        if (notNow.isPresent()) {
            return tryAgain(notNow.get());
        }
        log.error("request failed", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "the node could not answer this request; its log says why"));
    }

    private static ResponseEntity<ProblemDetail> tryAgain(String why) {
        log.warn("refused a sync request for now, the caller asks again: {}", why);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(org.springframework.http.HttpHeaders.RETRY_AFTER, Long.toString(TryAgain.RETRY_AFTER.toSeconds()))
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, TRY_AGAIN, TryAgain.TITLE, TryAgain.detail(why)));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException ex) {
        Throwable tooLarge = causeOfType(ex, BodyTooLargeException.class);
        Throwable format = causeOfType(ex, WireFormat.UnsupportedFormatException.class);
        ProblemDetail body = tooLarge != null
                ? problem(HttpStatus.PAYLOAD_TOO_LARGE, BODY_TOO_LARGE, "Request body too large", tooLarge.getMessage())
                : format != null
                ? problem(HttpStatus.BAD_REQUEST, UNSUPPORTED_FORMAT, "Unsupported wire format", format.getMessage())
                : problem(HttpStatus.BAD_REQUEST, MALFORMED_REQUEST, "Malformed request",
                        "the body is not a valid request: " + rootMessage(ex));
        return ResponseEntity.status(body.getStatus()).body(body);
    }

    private static Throwable causeOfType(Throwable ex, Class<? extends Throwable> type) {
        Throwable cause = ex;
        while (cause != null && !type.isInstance(cause)) {
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        return cause;
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
