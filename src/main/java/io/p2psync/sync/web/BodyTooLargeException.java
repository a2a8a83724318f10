package io.p2psync.sync.web;

import java.io.IOException;

/** Thrown while reading a request body that turns out longer than allowed once decompressed. */
final class BodyTooLargeException extends IOException {

    BodyTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes once decompressed");
    }
}
