package io.p2psync.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The last word on errors: whatever no feature's own handler answered (a missing key's
 * {@code ResponseStatusException}, an unknown path, a wrong method, a body that is not JSON, an unexpected
 * failure) becomes an RFC 9457 problem body. It takes the place of Spring Boot's problem-details handler
 * (which backs off when any {@link ResponseEntityExceptionHandler} exists) and adds the 500 case, which Boot's
 * leaves to the HTML/JSON error page. Feature advices and controller-local handlers run first.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiProblems extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    /** A bug or a broken disk: logged with its stack, answered without internals. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(RuntimeException e) {
        log.error("request failed", e);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "the node could not answer this request; its log says why");
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(body);
    }
}
