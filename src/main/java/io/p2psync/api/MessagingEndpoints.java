package io.p2psync.api;

import io.p2psync.api.EndpointDoc.Problem;
import java.util.List;
import java.util.Map;

/**
 * The documentation of the messaging and file endpoints (docs/messaging.md), as {@link Endpoints} has it for the
 * others; present when the live network is on.
 */
final class MessagingEndpoints {

    private static final String TAG = "messages";
    private static final String ADMIN = " Admin API: open to loopback callers; others must send "
            + "`Authorization: Bearer <admin token>`.";
    private static final String MESSAGE = """
            {"id":"5f0c2a8e-2c1b-4a57-9d0e-3c1f9e2b7a10","direction":"out","from":"%1$s","to":"%2$s",\
            "content":"buy milk","createdAt":"2026-12-06T03:42:26.540Z","status":"DELIVERED","path":"PEER_QUERY",\
            "via":"%3$s","deliveredAt":"2026-12-06T03:42:26.585Z","receivedAt":"2026-12-06T03:42:26.561Z"}"""
            .formatted(Endpoints.A, Endpoints.B, "12D3KooWCT71wwz5W7ESoiD4xwrTHwKRMJViAaVbrU8jsuma1tXF");
    private static final String PENDING = """
            {"id":"5f0c2a8e-2c1b-4a57-9d0e-3c1f9e2b7a10","direction":"out","from":"%1$s","to":"%2$s",\
            "content":"buy milk","createdAt":"2026-12-06T03:42:26.540Z","status":"PENDING","path":null,"via":null,\
            "deliveredAt":null,"receivedAt":null}""".formatted(Endpoints.A, Endpoints.B);
    private static final String TRANSFER = """
            {"id":"73ee0b6a-0964-451e-93ab-3823910ce0cb","direction":"out","from":"%1$s","to":"%2$s",\
            "name":"photos.bin","size":52428800,"sha256":"1a90bd6ce7604d9007fb8179466844b1fc1526105ec6f6bd7201b92637f713e3",\
            "status":"SENDING","bytesDone":26214400,"bytesPerSecond":5242880,"resumedFrom":0,\
            "createdAt":"2026-12-06T04:08:26.690Z","updatedAt":"2026-12-06T04:08:31.700Z","finishedAt":null,\
            "file":"data/files/outgoing/73ee0b6a-0964-451e-93ab-3823910ce0cb","error":null}"""
            .formatted(Endpoints.A, Endpoints.B);

    private static final Problem ADMIN_TOKEN = problem(401, "a caller not on loopback sent no valid admin token",
            "admin-token-required", "callers other than loopback must send Authorization: Bearer <admin token>");
    private static final Problem BAD_PAGE = problem(400, "limit outside 1..500, a negative offset, or a peer that "
            + "is not a device id", "bad-page", "limit is 1..500 and offset 0 or more");

    static final Map<String, EndpointDoc> ALL = Map.ofEntries(
            Map.entry("POST /messages", new EndpointDoc(TAG, "Send a message to another authorized device",
                    "Signs the message with this device's key and answers it at once as PENDING (202); it is "
                            + "taken to the target along the ladder (open connection, cached route, asking "
                            + "connected devices, the registry when one is configured, else stored and forwarded "
                            + "by devices that will meet it). Give `id` to make a resend idempotent: the same id "
                            + "with the same target and content answers the first message (200)." + ADMIN,
                    202, "{\"to\":\"" + Endpoints.B + "\",\"content\":\"buy milk\"}", PENDING,
                    List.of(problem(400, "no target or content, a malformed device id or message id", "malformed",
                                    "\\\"to\\\" is not a device id"),
                            problem(409, "the id was sent before with other content", "id-taken",
                                    "a different message with id note-1 was sent already"),
                            problem(413, "content over p2psync.messaging.max-content-size", "too-large",
                                    "the content has 70000 bytes, more than the 65536 allowed"),
                            problem(422, "the target is not an authorized device, or is this device", "not-authorized",
                                    Endpoints.B + " is not an authorized device of this one"),
                            ADMIN_TOKEN))),
            Map.entry("GET /messages", new EndpointDoc(TAG, "List messages sent and received, newest first",
                    "`peer` keeps those to or from one device; pages of `limit` (1 to 500) from `offset`." + ADMIN,
                    200, null, "[" + MESSAGE + "]", List.of(BAD_PAGE, ADMIN_TOKEN))),
            Map.entry("GET /messages/{id}", new EndpointDoc(TAG, "Read one message with its status and path",
                    ADMIN.strip(), 200, null, MESSAGE, List.of(problem(404, "no such message here",
                            "unknown-message", "no message x was sent or received here"), ADMIN_TOKEN))),
            Map.entry("GET /messages/events", new EndpointDoc(TAG, "Follow messages as server-sent events",
                    "`text/event-stream`: `event:message` for each arriving message, `event:status` for each change "
                            + "of a sent one; the data is the message as JSON." + ADMIN,
                    200, null, MESSAGE, List.of(problem(503, "as many streams are open as allowed (64)",
                            "too-many-listeners", "as many event streams are open as this node allows"), ADMIN_TOKEN))),
            Map.entry("GET /messages/routes/{device}", new EndpointDoc(TAG, "The cached libp2p addresses of a device",
                    "Those that worked latest first." + ADMIN, 200, null,
                    "{\"device\":\"" + Endpoints.B + "\",\"addresses\":[\"/ip4/192.168.1.7/tcp/4001\"]}",
                    List.of(problem(400, "not a device id", "malformed", "not a device id"), ADMIN_TOKEN))),
            Map.entry("DELETE /messages/routes/{device}", new EndpointDoc(TAG, "Forget the cached addresses of a device",
                    "The next message to it asks connected devices again." + ADMIN, 200, null,
                    "{\"device\":\"" + Endpoints.B + "\",\"forgotten\":2}",
                    List.of(problem(400, "not a device id", "malformed", "not a device id"), ADMIN_TOKEN))),
            Map.entry("POST /files", new EndpointDoc(TAG, "Send a file (the request body) to another authorized device",
                    "`to` names the device, `name` the file's name there. The body is kept while it is hashed, then "
                            + "sent in signed chunks; a transfer cut half way resumes where it stopped." + ADMIN,
                    202, null, TRANSFER.replace("\"SENDING\"", "\"PENDING\"").replace("26214400", "0"),
                    List.of(problem(400, "no target, or a file name with '/', '\\\\', '..' or NUL", "malformed",
                                    "the query parameter \\\"to\\\" names the target device"),
                            problem(413, "a body over p2psync.files.max-file-size; nothing is kept", "too-large",
                                    "the file is larger than the 1073741824 bytes allowed"),
                            problem(422, "the target is not another authorized device", "not-authorized",
                                    Endpoints.B + " is not another authorized device of this one"),
                            ADMIN_TOKEN))),
            Map.entry("GET /files", new EndpointDoc(TAG, "List file transfers, newest first",
                    "Pages of `limit` (1 to 500) from `offset`." + ADMIN, 200, null, "[" + TRANSFER + "]",
                    List.of(BAD_PAGE, ADMIN_TOKEN))),
            Map.entry("GET /files/{id}", new EndpointDoc(TAG, "Read one file transfer: progress, rate, end state",
                    ADMIN.strip(), 200, null, TRANSFER, List.of(problem(404, "no such transfer here", "unknown-file",
                            "no file x was sent or received here"), ADMIN_TOKEN))));

    private MessagingEndpoints() {
    }

    private static Problem problem(int status, String when, String slug, String detail) {
        return new Problem(status, when, "{\"type\":\"urn:p2psync:problem:" + slug + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}");
    }
}
