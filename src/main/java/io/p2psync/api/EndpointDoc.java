package io.p2psync.api;

import java.util.List;
import java.util.Objects;

/**
 * What the OpenAPI document says about one operation beyond what springdoc reads from the controller.
 *
 * @param tag the group in Swagger UI
 * @param summary one line
 * @param description what it does and who may call it; may be empty
 * @param status the success status (200, 201, 204)
 * @param requestExample an example request body, or null if the operation takes none
 * @param responseExample an example success body, or null for none (204)
 * @param errors the errors it can answer, each an RFC 9457 problem body
 */
record EndpointDoc(String tag, String summary, String description, int status, String requestExample,
        String responseExample, List<Problem> errors) {

    EndpointDoc {
        Objects.requireNonNull(tag);
        Objects.requireNonNull(summary);
        errors = List.copyOf(errors);
    }

    /**
     * One error answer.
     *
     * @param status the HTTP status
     * @param when when it happens, for the response's description
     * @param example an example problem body
     */
    record Problem(int status, String when, String example) {
    }
}
