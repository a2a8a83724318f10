package io.p2psync;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.devices.RequestSignature;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An authorized device that pushes well-signed wrong entries (see {@code HostileEntriesIT} for each kind on
 * its own): data naming another row than its record id, a base naming versions nobody made, a value past
 * {@code p2psync.kv.max-value-size}, and entries of made-up origins past {@code p2psync.devices.max-introduced}.
 */
final class HostileDevice {

    /** An entry this device sent, and the hold reason docs/security.md promises for it. */
    record Sent(ChangeEntry entry, String expectedHold) {
        String id() {
            return entry.origin() + "#" + entry.version();
        }
    }

    static final int BIG_VALUE_BYTES = 200 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final PrivateKey key = PrivateKey.generate();
    private final DeviceIdentity identity = new DeviceIdentity(key);
    private final URI node;
    private final PeerId nodeId;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<ChangeEntry> chain = new ArrayList<>();
    /** The entries of its own chain that must be held, with their reasons. */
    final List<Sent> mustBeHeld = new CopyOnWriteArrayList<>();
    /** Entries of made-up origins the node accepted, over every push. */
    final AtomicLong madeUpOriginsAccepted = new AtomicLong();
    final AtomicLong madeUpOriginsSent = new AtomicLong();

    HostileDevice(URI node, PeerId nodeId) {
        this.node = node;
        this.nodeId = nodeId;
    }

    /** One push of {@code count} entries, each of a made-up origin of its own. */
    void pushMadeUpOrigins(Tally tally, int count) {
        List<ChangeEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PrivateKey origin = PrivateKey.generate();
            entries.add(firstEntryOf(origin, kvRow("made-up-" + origin.peerId(), "made-up-" + origin.peerId(), "x")));
        }
        madeUpOriginsSent.addAndGet(count);
        JsonNode answer = push(tally, entries);
        if (answer != null) {
            madeUpOriginsAccepted.addAndGet(answer.get("accepted").asLong());
        }
    }

    /**
     * One push of three entries of its own chain, each of which must be held: data whose key is {@code
     * victimKey} under the record id {@code decoy-<round>}; an update of {@code victimKey} on a base claiming
     * version 2^62 of {@code victimOrigin}; a value of {@link #BIG_VALUE_BYTES} under {@code big-<round>}.
     */
    void pushWrongEntries(Tally tally, int round, String victimKey, String victimOrigin) {
        List<Sent> sent = List.of(
                new Sent(next(kvRow("decoy-" + round, victimKey, "overwritten by the hostile device"),
                        VersionVector.EMPTY), "undecodable"),
                new Sent(next(new RowChange("sync_kv", SqlValues.encodeKey(List.of(victimKey)), Operation.UPDATE, null,
                        kvData(victimKey, "inflated by the hostile device"), null),
                        VersionVector.of(Map.of(victimOrigin, 1L << 62))), "unknown-base"),
                new Sent(next(kvRow("big-" + round, "big-" + round, "v".repeat(BIG_VALUE_BYTES)),
                        VersionVector.EMPTY), "limit"));
        mustBeHeld.addAll(sent);
        push(tally, sent.stream().map(Sent::entry).toList());
    }

    /** How often a push refused for now ({@code try-again}) is sent in all, as a peer's next rounds would send it. */
    private static final int TRIES = 5;

    private JsonNode push(Tally tally, List<ChangeEntry> entries) {
        byte[] body = JSON.writeValueAsBytes(Map.of("entries", entries));
        tally.sent.incrementAndGet();
        try {
            HttpResponse<String> r = null;
            for (int attempt = 1; attempt <= TRIES; attempt++) {
                HttpRequest.Builder b = HttpRequest.newBuilder(node.resolve("/sync/push"))
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .header("Content-Type", "application/json");
                RequestSignature.sign(key, "POST", "/sync/push", nodeId, Instant.now(), body).forEach(b::header);
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                // the node under load may answer that its database stayed locked: nothing was applied, ask again
                if (r.statusCode() != 503 || !r.body().contains("urn:p2psync:problem:try-again")) {
                    break;
                }
                tally.answer("503 try-again");
                Thread.sleep(1_000);
            }
            tally.answer(Integer.toString(r.statusCode()));
            if (r.statusCode() != 200) {
                tally.failure("push of " + entries.size() + ": " + r.statusCode() + " " + r.body());
                return null;
            }
            JsonNode answer = JSON.readTree(r.body());
            for (JsonNode rejection : answer.path("rejections")) {
                tally.answer("rejected " + rejection.path("reason").asString());
            }
            return answer;
        } catch (IOException e) {
            tally.failure("push of " + entries.size() + ": " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next entry of this device's own chain, ending its group. */
    private ChangeEntry next(RowChange change, VersionVector base) {
        String prev = chain.isEmpty() ? null : chain.get(chain.size() - 1).hash();
        long now = System.currentTimeMillis();
        ChangeEntry e = ChangeEntry.seal(identity, chain.size() + 1, (now << 16) + chain.size(), now, change, base, prev);
        chain.add(e);
        return e;
    }

    /** Entry 1 of {@code origin}'s chain, signed with its key. */
    private static ChangeEntry firstEntryOf(PrivateKey origin, RowChange c) {
        long now = System.currentTimeMillis();
        String id = origin.peerId().toString();
        ChangeEntry draft = new ChangeEntry(id, 1, now << 16, now, c.table(), c.recordId(), c.operation(), c.kind(),
                c.data(), c.changedColumns(), VersionVector.EMPTY, null, "0".repeat(64), "AA==");
        String hash = draft.computeHash();
        String signature = Base64.getEncoder().encodeToString(origin.sign(HexFormat.of().parseHex(hash)));
        return new ChangeEntry(id, 1, draft.hlc(), now, c.table(), c.recordId(), c.operation(), c.kind(), c.data(),
                c.changedColumns(), VersionVector.EMPTY, null, hash, signature);
    }

    private static RowChange kvRow(String recordKey, String dataKey, String value) {
        return new RowChange("sync_kv", SqlValues.encodeKey(List.of(recordKey)), Operation.INSERT, null,
                kvData(dataKey, value), null);
    }

    private static String kvData(String key, String value) {
        return JSON.writeValueAsString(Map.of("key", key, "value", value, "timestamp", Instant.now().toString()));
    }
}
