package io.p2psync.api;

import io.p2psync.api.EndpointDoc.Problem;
import java.util.List;
import java.util.Map;

/**
 * The documentation of every REST endpoint, keyed by {@code METHOD path} as in the OpenAPI document. The
 * examples are real answers of a node, shortened. Errors list the RFC 9457 problem bodies each endpoint
 * answers; every endpoint can also answer 500 (added by {@link OpenApiDocs}).
 */
final class Endpoints {

    static final String A = "12D3KooWLLw9qwWF4sp9jVFgQgzgFPjxTTswvuoh3NZAM7SLpETj";
    static final String B = "12D3KooWRBvSkf5eLjsTS2SPFzaBkSSjDxnoqdBn5Fc1Asw3oHnX";

    private static final String KV = "key-value";
    private static final String NODE = "node";
    private static final String DEVICES = "devices";
    private static final String SYNC = "sync";
    private static final String CONFLICTS = "conflicts";

    private static final String ADMIN = " Admin API: open to loopback callers; others must send "
            + "`Authorization: Bearer <admin token>` (`p2psync.admin-token`, or the one kept in `<data-dir>/admin.token`).";
    private static final String SIGNED = " Called by other devices: the request must be signed with the caller's "
            + "device key (`X-P2PSync-Device`, `X-P2PSync-Timestamp`, `X-P2PSync-Nonce`, `X-P2PSync-Signature`; "
            + "see docs/protocol.md) and the caller must be an authorized device.";

    private static final String KV_VIEW = """
            {"key":"greeting","value":"hello from A","timestamp":"2026-11-21T11:56:53.702Z"}""";
    private static final String DEVICE_VIEW = """
            {"deviceId":"%s","name":"node-b","url":"http://localhost:8082","status":"AUTHORIZED","authorized":true,\
            "introducedBy":null,"lastAddress":null,"lastSyncAt":null,"createdAt":"2026-11-21T11:56:54.619Z"}"""
            .formatted(B);
    private static final String CONFLICT_VIEW = """
            {"id":1,"table":"sync_kv","recordId":"[\\"colour\\"]","status":"pending","policy":"manual",\
            "local":{"data":{"key":"colour","value":"green","timestamp":"2026-11-21T12:00:01.000Z","deleted_at":null},\
            "version":{"%2$s":1},"deviceId":"%2$s","hlc":7463481766297600000,"entry":"%2$s#1"},\
            "remote":{"data":{"key":"colour","value":"blue","timestamp":"2026-11-21T12:00:00.000Z","deleted_at":null},\
            "version":{"%1$s":1},"deviceId":"%1$s","hlc":7463481766293401600,"entry":"%1$s#1"},\
            "resolution":null,"createdAt":"2026-11-21T12:00:05.120Z","resolvedAt":null}""".formatted(A, B);
    private static final String ENTRY = """
            {"origin":"%1$s","version":1,"hlc":7463481766293401600,"timestamp":1795262400000,"table":"sync_kv",\
            "recordId":"[\\"greeting\\"]","operation":"INSERT","kind":"EDIT",\
            "data":"{\\"key\\":\\"greeting\\",\\"value\\":\\"hello from A\\",\\"timestamp\\":\\"2026-11-21T12:00:00.000Z\\",\\"deleted_at\\":null}",\
            "changedColumns":null,"base":{},"prevHash":null,\
            "hash":"3f7a1c0e9b2d4f6a8c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a",\
            "signature":"kq3b7Vd1o2yH0mS8nX3eY5r6tU9wZ2aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV4wX6yZ8aB0cD2eF4gH6iJ8kA=="}"""
            .formatted(A);

    private static final Problem ADMIN_TOKEN = problem(401, "a caller not on loopback sent no valid admin token",
            "admin-token-required", "Admin token required",
            "callers other than loopback must send Authorization: Bearer <admin token>");
    private static final Problem KEY_TOO_LONG = new Problem(400, "the key is longer than p2psync.kv.max-key-size",
            """
            {"title":"Bad Request","status":400,"detail":"key is 300 bytes; at most 256 are allowed","instance":"/kv/kkk…"}""");
    private static final Problem NO_KEY = new Problem(404, "no live value has this key", """
            {"title":"Not Found","status":404,"detail":"no live entry with key 'greeting'","instance":"/kv/greeting"}""");
    private static final Problem INVALID_DEVICE_ID = problem(400, "the id is not an Ed25519 device id",
            "invalid-device-id", "Invalid device id",
            "'laptop' is not an Ed25519 device id: invalid base58 character");
    private static final Problem NO_DEVICE = problem(404, "no device with this id is known here",
            "no-such-device", "No such device", "no device " + B + " is known here");
    private static final Problem UNSIGNED = problem(401,
            "the signature is missing, malformed, wrong, stale or replayed, or the caller is unknown, not "
                    + "authorized or revoked (the type says which)",
            "missing-signature", "Missing request signature",
            "the request must carry X-P2PSync-Device, X-P2PSync-Timestamp, X-P2PSync-Nonce and X-P2PSync-Signature");
    private static final Problem MALFORMED = problem(400, "the body is not valid JSON for this request",
            "malformed-request", "Malformed request", "the body is not a valid request: Unexpected end-of-input");
    private static final Problem BODY_TOO_LARGE = problem(413,
            "the body is over p2psync.sync.max-body-size (after decompression) or p2psync.devices.max-request-body",
            "body-too-large", "Request body too large", "the request body is larger than 33554432 bytes");
    private static final Problem TRY_AGAIN = problem(503,
            "refused for now, with `Retry-After`: the database stayed locked past the busy timeout, or a table may "
                    + "hold writes of the app that the node has not sealed yet (docs/storage.md, \"Writes no trigger "
                    + "saw come first\"); parts applied before it stay applied", "try-again", "Try again later",
            "not applied now, try again: nothing is written to [notes] yet: rows there may hold writes the capture "
                    + "triggers did not see (the table was re-created, or the node has not scanned it since it "
                    + "started); the reconciliation scan seals them first");
    private static final Problem NO_CONFLICT = new Problem(404, "no conflict has this id", """
            {"title":"No such conflict","status":404,"detail":"no conflict with id 7","instance":"/conflicts/7"}""");
    private static final Problem NOT_PENDING = new Problem(409, "the conflict was resolved or ignored already", """
            {"title":"Conflict is not pending","status":409,"detail":"conflict 1 is resolved, not pending",\
            "instance":"/conflicts/1/resolve","conflictStatus":"resolved","resolution":"remote"}""");

    private static final Problem TABLE_NOT_READY = new Problem(503, "the row may hold a write of the app that no "
            + "capture trigger saw (the app re-created the table, or the node has not scanned it since it started) and "
            + "the node did not seal it within 10 s; nothing was written and the conflict is still pending: send the "
            + "same request again after `Retry-After` seconds", """
            {"type":"urn:p2psync:problem:table-not-ready","title":"Table not ready for writes","status":503,\
            "detail":"not resolved yet: nothing is written to [notes] yet: rows there may hold writes the capture \
            triggers did not see (the table was re-created, or the node has not scanned it since it started); the \
            reconciliation scan seals them first. Nothing was written; the conflict is still pending. Send the same \
            request again shortly.","instance":"/conflicts/1/resolve","tables":["notes"]}""");

    static final Map<String, EndpointDoc> ALL = Map.ofEntries(
            Map.entry("GET /kv", new EndpointDoc(KV, "List every live key and value",
                    "Keys in order; deleted keys are left out." + ADMIN, 200, null, "[" + KV_VIEW + "]",
                    List.of(ADMIN_TOKEN))),
            Map.entry("GET /kv/{key}", new EndpointDoc(KV, "Read one value", ADMIN.strip(), 200, null, KV_VIEW,
                    List.of(KEY_TOO_LONG, NO_KEY, ADMIN_TOKEN))),
            Map.entry("PUT /kv/{key}", new EndpointDoc(KV, "Store a value",
                    "The body is the value, as text (any content type). The write is captured into the change "
                            + "log and synced to every paired device." + ADMIN,
                    200, "hello from A", KV_VIEW,
                    List.of(KEY_TOO_LONG, new Problem(413, "the value is larger than p2psync.kv.max-value-size", """
                            {"title":"Content Too Large","status":413,\
                            "detail":"value is 70000 bytes; at most 65536 are allowed","instance":"/kv/greeting"}"""),
                            ADMIN_TOKEN))),
            Map.entry("DELETE /kv/{key}", new EndpointDoc(KV, "Delete a value",
                    "A soft delete: the key keeps a timestamped tombstone, which syncs like a value." + ADMIN,
                    204, null, null, List.of(KEY_TOO_LONG, NO_KEY, ADMIN_TOKEN))),
            Map.entry("GET /status", new EndpointDoc(NODE, "Who this node is and how much it holds",
                    "Device id and name, version vector, counts of log entries, devices and pending conflicts, "
                            + "the libp2p addresses it listens on (empty when the live network is off), its open "
                            + "connections, and whether peers can dial it (reachability: UNKNOWN, PUBLIC or PRIVATE, "
                            + "found by AutoNAT; null when that is off), and the DHT's mode (server, or client while "
                            + "the node cannot be reached; null when the DHT is off). Open to every caller.",
                    200, null, """
                    {"deviceId":"%1$s","deviceName":"node-a","versionVector":{"%1$s":3,"%2$s":1},\
                    "logEntries":4,"devices":1,"pendingConflicts":0,"forks":0,\
                    "listenAddrs":["/ip4/192.168.1.7/tcp/4001/p2p/%1$s"],"connections":[],\
                    "reachability":"PUBLIC","dht":"server"}""".formatted(A, B), List.of())),
            Map.entry("GET /peers", new EndpointDoc(NODE, "The peers and the state of sync with each",
                    "Paired devices first, then peers only suggested (configuration without a device id, the "
                            + "tailnet), with refusals, held entries and the running round's progress. Statuses: see "
                            + "docs/operations.md." + ADMIN,
                    200, null, """
                    [{"key":"%1$s","deviceId":"%1$s","name":"node-b","url":"http://localhost:8082",\
                    "sources":["DEVICES"],"paired":true,"online":null,"status":"IN_SYNC",\
                    "lastSuccessAt":"2026-11-21T12:00:05.100Z","lastError":null,"lastErrorAt":null,"failedRounds":0,\
                    "nextAttemptAt":"2026-11-21T12:05:00.000Z","breaker":"CLOSED","syncing":false,"behind":0,\
                    "refused":0,"refusedReasons":{},"held":0,"progress":null}]"""
                    .formatted(B), List.of(ADMIN_TOKEN))),
            Map.entry("GET /devices", new EndpointDoc(DEVICES, "List the devices this one knows",
                    "Authorized, pending (they called in unpaired) and revoked devices." + ADMIN, 200, null,
                    "[" + DEVICE_VIEW + "]", List.of(ADMIN_TOKEN))),
            Map.entry("POST /devices", new EndpointDoc(DEVICES, "Pair with a device",
                    "Adds and authorizes a device (201), or authorizes a known one and updates its name and url "
                            + "(200). With a url, this device syncs with it; do the same on the other device." + ADMIN,
                    201, """
                    {"deviceId":"%s","name":"node-b","url":"http://localhost:8082"}""".formatted(B), DEVICE_VIEW,
                    List.of(INVALID_DEVICE_ID, problem(400, "a field is invalid (blank id, url not http(s), too long)",
                            null, "Bad Request", "Invalid request content."), ADMIN_TOKEN))),
            Map.entry("GET /devices/{id}", new EndpointDoc(DEVICES, "Read one device", ADMIN.strip(), 200, null,
                    DEVICE_VIEW, List.of(INVALID_DEVICE_ID, NO_DEVICE, ADMIN_TOKEN))),
            Map.entry("DELETE /devices/{id}", new EndpointDoc(DEVICES, "Forget a device",
                    "Removes it from the device list; if it calls again it is recorded as pending." + ADMIN, 204,
                    null, null, List.of(INVALID_DEVICE_ID, NO_DEVICE, ADMIN_TOKEN))),
            Map.entry("POST /devices/{id}/authorize", new EndpointDoc(DEVICES, "Authorize a device",
                    "Approves a pending (or revoked) device, so it may sync with this one." + ADMIN, 200, null,
                    DEVICE_VIEW, List.of(INVALID_DEVICE_ID, NO_DEVICE, ADMIN_TOKEN))),
            Map.entry("POST /devices/{id}/revoke", new EndpointDoc(DEVICES, "Revoke a device",
                    "It may no longer call this device, and entries it made are refused from now on." + ADMIN, 200,
                    null, DEVICE_VIEW.replace("\"AUTHORIZED\",\"authorized\":true", "\"REVOKED\",\"authorized\":false"),
                    List.of(INVALID_DEVICE_ID, NO_DEVICE, ADMIN_TOKEN))),
            Map.entry("POST /sync/pull", new EndpointDoc(SYNC, "Fetch the entries the caller lacks",
                    "Given the caller's version vector, answers the entries it lacks, oldest first per origin, "
                            + "a page at a time (`more` says whether to ask again), and this device's vector."
                            + SIGNED,
                    200, """
                    {"format":1,"vector":{"%s":0},"limit":5000}""".formatted(A), """
                    {"format":1,"entries":[%s],"serverVector":{"%s":1},"more":false}""".formatted(ENTRY, A),
                    List.of(MALFORMED, UNSIGNED, BODY_TOO_LARGE))),
            Map.entry("POST /sync/push", new EndpointDoc(SYNC, "Send entries this device lacks",
                    "Each entry's hash, signature and place in its origin's chain are checked before it is "
                            + "applied; a refused entry stops its origin for the rest of the batch and is listed with "
                            + "its reason." + SIGNED,
                    200, "{\"format\":1,\"entries\":[" + ENTRY + "]}", """
                    {"accepted":1,"duplicates":0,"conflicts":0,"held":0,"rejected":0,"rejections":[]}""",
                    List.of(MALFORMED, UNSIGNED, BODY_TOO_LARGE, problem(413,
                            "the push carries more than p2psync.sync.max-push-entries entries", "too-many-entries",
                            "Too many entries", "a push may carry at most 10000 entries, this one has 10001"),
                            TRY_AGAIN))),
            Map.entry("POST /sync/now", new EndpointDoc(SYNC, "Sync now",
                    "Runs one pull-then-push round with every authorized device that has a url, or with the one "
                            + "given as `peer`, through the per-peer scheduler (one round at a time per peer; if "
                            + "one runs, this waits for one more after it), and answers what each round did: "
                            + "`conflicts`, `rejected` and `held` count this round's entries on both sides (pulled and "
                            + "held here, pushed and held at the peer, an entry again each time it is tried), so "
                            + "`held` is not the number `GET /sync/held` lists." + ADMIN,
                    200, null, """
                    [{"peer":"%s","pulled":2,"pushed":1,"conflicts":0,"rejected":0,"held":0,"completed":true,"error":null,"millis":48}]"""
                    .formatted(B),
                    List.of(problem(404, "`peer` is not an authorized device with a url", "no-such-peer",
                            "No such peer", "no authorized device with a url has id " + B), ADMIN_TOKEN))),
            Map.entry("GET /sync/held", new EndpointDoc(SYNC, "List held entries",
                    "Entries this device stored (they verify, are relayed, and their origin's later entries apply) "
                            + "but could not apply to their row yet, oldest first, at most `limit` (1 to 1000), with "
                            + "the count per reason: missing-table, missing-column, not-null, check, unique, "
                            + "constraint, undecodable, unknown-base, limit, waiting-behind. See docs/storage.md, \"Holds\"."
                            + ADMIN,
                    200, null, """
                    {"count":1,"byReason":{"unique":1},"entries":[{"entry":"%s#7","table":"users","recordId":"[\\"u2\\"]",\
                    "reason":"unique","detail":"UNIQUE constraint failed: users.email","partial":false,\
                    "heldAt":"2026-11-21T12:00:00Z","tries":2}]}""".formatted(B),
                    List.of(ADMIN_TOKEN))),
            Map.entry("POST /sync/rescan", new EndpointDoc(SYNC, "Reconciliation scan now",
                    "Compares every row of every tracked table (or of the one given as `table`) with what was last "
                            + "sealed, and seals the difference as this device's entries: rows the log lacks, rows "
                            + "changed and rows gone without a trigger seeing it. Waits for a scheduled scan that "
                            + "is running." + ADMIN,
                    200, null, """
                    {"tables":[{"table":"sync_kv","rowsScanned":120,"entriesSealed":0},\
                    {"table":"notes","rowsScanned":5000,"entriesSealed":3}]}""",
                    List.of(problem(404, "`table` is not a tracked table", "no-such-table", "No such table",
                            "'nope' is not a tracked table here; tracked: [sync_kv, notes]"), ADMIN_TOKEN))),
            Map.entry("GET /sync/former-columns", new EndpointDoc(SYNC, "List former columns",
                    "What became of the columns each tracked table no longer has, as this device knows it: renamed "
                            + "(a former name to the column it became), dropped, and unsure (dropped while a column "
                            + "declared alike came: perhaps renamed, so other devices' writes of that name are held "
                            + "until a peer or a person says which). See docs/storage.md, \"Schema changes\"." + ADMIN,
                    200, null, """
                    {"notes":{"renamedTo":{"title":"name"},"dropped":["extra","flag"],"unsure":["flag"]}}""",
                    List.of(ADMIN_TOKEN))),
            Map.entry("POST /sync/former-columns", new EndpointDoc(SYNC, "Say what became of a column",
                    "Records that `column`, a name the tracked `table` no longer has (or never had), was renamed to "
                            + "`renamedTo` (a column it has, not a key column; names in any case) or was dropped "
                            + "(`\"dropped\": true`); exactly one of the two, and an unknown field is refused, so a "
                            + "misspelt body is never taken for a drop. Then retries what was held for it: values of a "
                            + "dropped column go with it, values of a renamed one are written into its column. For a "
                            + "device set up after a drop, and for an unsure drop no peer settles (peers' drops never "
                            + "settle one). A record this device has (seen, taken from a peer or said before) stands. "
                            + "Answers the table's former columns and its entries still held for columns it lacks."
                            + ADMIN,
                    200, """
                    {"table":"notes","column":"flag","dropped":true}""", """
                    {"table":"notes","formerColumns":{"renamedTo":{"title":"name"},"dropped":["extra","flag"],\
                    "unsure":[]},"heldForMissingColumns":0}""",
                    List.of(problem(400, "a field is unknown, `table` or `column` is blank, or not exactly one of "
                                    + "`renamedTo` and `dropped: true` is given", "invalid-declaration",
                                    "Invalid declaration", "say either \"renamedTo\": \"<column>\" or \"dropped\": true"),
                            problem(404, "`table` is not a tracked table", "no-such-table", "No such table",
                                    "'nope' is not a tracked table here; tracked: [sync_kv, notes]"),
                            problem(409, "the table has `column`, or lacks `renamedTo`, or it is a key column, or nothing "
                                    + "here knows or waits for `column` (a misspelt name)",
                                    "not-a-former-column", "Not a former column", "'title' is a column of notes now"),
                            problem(409, "this device has a record of the column that says otherwise",
                                    "former-column-recorded", "Recorded otherwise", "'title' of notes is recorded as "
                                            + "renamed to 'name'; a record this node has stands"),
                            problem(503, "the app held the database's write lock too long", "database-busy",
                                    "Database busy", "the database did not answer (the app may hold its write lock): "
                                            + "database is locked; try again"),
                            ADMIN_TOKEN))),
            Map.entry("GET /sync/forks", new EndpointDoc(SYNC, "List forks",
                    "Origins found to have signed two different entries with one version (a copied key, or a "
                            + "device restored from a backup that wrote on), newest first: found by comparing "
                            + "chain heads with peers on every pull. Their entries are refused here until a person "
                            + "revokes the device or clears the fork. See docs/security.md." + ADMIN,
                    200, null, """
                    [{"origin":"%1$s","version":7,"hashHere":"3f1c…","hashThere":"9ab2…","peer":"%2$s",\
                    "detectedAt":"2026-12-05T17:00:00Z"}]""".formatted(B, A), List.of(ADMIN_TOKEN))),
            Map.entry("DELETE /sync/forks/{origin}", new EndpointDoc(SYNC, "Clear a fork",
                    "A person's decision that the origin's entries may be taken again (its device was re-paired "
                            + "under a new key, say); revoking the device is the other decision." + ADMIN,
                    204, null, null,
                    List.of(problem(404, "no fork of this origin is recorded", "no-such-fork", "No such fork",
                            "no fork of " + B + " is recorded here"), ADMIN_TOKEN))),
            Map.entry("GET /conflicts", new EndpointDoc(CONFLICTS, "List conflicts, newest first",
                    "Filter by `status` (pending, resolved, ignored) and `table`; pages of `size` (1 to 500)."
                            + ADMIN,
                    200, null, "{\"items\":[" + CONFLICT_VIEW + "],\"page\":0,\"size\":50,\"total\":1}",
                    List.of(new Problem(400, "an unknown status, or a page or size out of range", """
                            {"title":"Bad request","status":400,\
                            "detail":"unknown status 'open': use pending, resolved or ignored","instance":"/conflicts"}"""),
                            ADMIN_TOKEN))),
            Map.entry("GET /conflicts/{id}", new EndpointDoc(CONFLICTS, "Read one conflict with both sides",
                    ADMIN.strip(), 200, null, CONFLICT_VIEW, List.of(NO_CONFLICT, ADMIN_TOKEN))),
            Map.entry("POST /conflicts/{id}/resolve", new EndpointDoc(CONFLICTS, "Resolve a pending conflict",
                    "Give exactly one of `strategy` (`local`, `remote` or `timestamp`: keep that side as it was when "
                            + "the conflict arose) or `data` (the row written by hand; columns left out keep the local "
                            + "value). The resolution is a new change that every device takes. See docs/conflicts.md."
                            + ADMIN,
                    200, "{\"strategy\":\"remote\"}", CONFLICT_VIEW.replace("\"status\":\"pending\"",
                            "\"status\":\"resolved\"").replace("\"resolution\":null", "\"resolution\":\"remote\"")
                            .replace("\"resolvedAt\":null", "\"resolvedAt\":\"2026-11-21T12:01:00.000Z\""),
                    List.of(new Problem(400, "neither or both of strategy and data, an unknown strategy, or data "
                            + "that is not an object or does not fit the table", """
                            {"title":"Bad request","status":400,\
                            "detail":"give exactly one of \\"strategy\\" (local, remote, timestamp) or \\"data\\"",\
                            "instance":"/conflicts/1/resolve"}"""), NO_CONFLICT, NOT_PENDING, TABLE_NOT_READY,
                            ADMIN_TOKEN))),
            Map.entry("POST /conflicts/{id}/ignore", new EndpointDoc(CONFLICTS, "Ignore a pending conflict",
                    "Leaves the row as it is here; no change is written." + ADMIN, 200, null,
                    CONFLICT_VIEW.replace("\"status\":\"pending\"", "\"status\":\"ignored\""),
                    List.of(NO_CONFLICT, NOT_PENDING, ADMIN_TOKEN))));

    private Endpoints() {
    }

    /** A problem with a type under {@code urn:p2psync:problem:} (none if {@code slug} is null). */
    private static Problem problem(int status, String when, String slug, String title, String detail) {
        String type = slug == null ? "" : "\"type\":\"urn:p2psync:problem:" + slug + "\",";
        return new Problem(status, when, "{" + type + "\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "\\\"") + "\"}");
    }
}
