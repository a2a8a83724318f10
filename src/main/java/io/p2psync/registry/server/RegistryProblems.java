package io.p2psync.registry.server;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns a {@link RegistryProblem} into its RFC 9457 body, with {@code WWW-Authenticate} on 401 and {@code Retry-After} on 429. */
@RestControllerAdvice(assignableTypes = RegistryController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class RegistryProblems {

    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(RegistryProblem problem) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                org.springframework.http.HttpStatusCode.valueOf(problem.kind.status), problem.getMessage());
        body.setType(problem.kind.type);
        body.setTitle(problem.kind.title);
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(problem.kind.status)
                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
        if (problem.kind.status == 401) {
            answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (problem.retryAfterSeconds > 0) {
            answer.header(HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfterSeconds));
        }
        return answer.body(body);
    }
}
