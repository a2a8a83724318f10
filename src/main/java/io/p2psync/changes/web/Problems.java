package io.p2psync.changes.web;

import java.net.URI;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The RFC 9457 problems these controllers answer. */
final class Problems {

    static final URI NO_SUCH_TABLE = URI.create("urn:p2psync:problem:no-such-table");

    private Problems() {
    }

    /** 404: {@code table} is not one of the {@code tracked} tables. */
    static ErrorResponseException noSuchTable(String table, Set<String> tracked) {
        return problem(HttpStatus.NOT_FOUND, NO_SUCH_TABLE, "No such table",
                "'" + table + "' is not a tracked table here; tracked: " + tracked);
    }

    static ErrorResponseException problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }
}
