package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.testing.SqliteCli;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An authorized device that sends well-signed but wrong entries, against two real paired nodes: it may be
 * buggy or taken over, so what it sends is checked like anything else, and an entry that cannot be right is
 * held with its reason on every device alike, never written over another row or past a limit, and never
 * hides another device's edit.
 */
class HostileEntriesIT {

    private static final String NO_AUTO_SYNC = "p2psync.sync.auto=false";

    @TempDir
    Path dir;
    Node a;
    Node b;
    Forger hostile;

    @BeforeEach
    void startNodes() {
        a = Node.start("a", dir.resolve("a"), NO_AUTO_SYNC);
        b = Node.start("b", dir.resolve("b"), NO_AUTO_SYNC);
        a.pairWith(b);
        b.pairWith(a);
        hostile = new Forger(PrivateKey.generate());
        for (Node n : List.of(a, b)) {
            n.post("/devices", "{\"deviceId\":\"" + hostile.key.peerId() + "\",\"name\":\"hostile\"}");
        }
    }

    @AfterEach
    void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void anEntryWhoseDataNamesAnotherKeyThanItsRecordIdIsHeldAndOverwritesNothing() {
        a.put("target", "original");
        a.syncNow();
        assertThat(b.kv()).containsEntry("target", "original");

        ChangeEntry decoy = hostile.next(kvRow(Operation.INSERT, "decoy", "target", "overwritten"), VersionVector.EMPTY);
        JsonNode answer = push(a, decoy);
        a.syncNow();

        assertThat(answer.get("rejected").asInt()).isZero();
        for (Node n : List.of(a, b)) {
            assertThat(n.kv()).as(n.toString()).containsEntry("target", "original").doesNotContainKey("decoy");
            JsonNode held = heldEntry(n, decoy);
            assertThat(held).as("held on " + n).isNotNull();
            assertThat(held.get("reason").asString()).isEqualTo("undecodable");
            assertThat(held.get("detail").asString()).contains("[\"target\"]").contains("[\"decoy\"]");
        }
    }

    @Test
    void anEntryThatClaimsVersionsNobodyMadeIsHeldAndDoesNotHideAConcurrentEdit() {
        a.put("shared", "v1");
        a.syncNow();
        a.put("shared", "edited on a"); // not yet on b

        // Claims to be made on a's version 2^62 of the row, so that every later edit of a would look older.
        VersionVector inflated = VersionVector.of(Map.of(a.id.toString(), 1L << 62));
        ChangeEntry inflating = hostile.next(kvRow(Operation.UPDATE, "shared", "shared", "hostile"), inflated);
        push(b, inflating);
        a.syncNow();

        for (Node n : List.of(a, b)) {
            assertThat(n.kv()).as(n.toString()).containsEntry("shared", "edited on a");
            JsonNode held = heldEntry(n, inflating);
            assertThat(held).as("held on " + n).isNotNull();
            assertThat(held.get("reason").asString()).isEqualTo("unknown-base");
            assertThat(held.get("detail").asString()).contains(a.id.toString()).contains(Long.toString(1L << 62));
        }
    }

    @Test
    void keyValueEntriesBeyondTheLimitsOrWithoutAKeyOrTimestampAreHeldAndNeverStored() {
        String bigKey = "k".repeat(300 * 1024);
        String bigValue = "v".repeat(200 * 1024);
        List<ChangeEntry> entries = List.of(
                hostile.next(new RowChange("sync_kv", "[null]", Operation.INSERT, null,
                        "{\"key\":null,\"value\":\"no key\",\"timestamp\":\"" + Instant.now() + "\",\"deleted_at\":null}",
                        null), VersionVector.EMPTY),
                hostile.next(kvRow(Operation.INSERT, bigKey, bigKey, "big key"), VersionVector.EMPTY),
                hostile.next(kvRow(Operation.INSERT, "big-value", "big-value", bigValue), VersionVector.EMPTY),
                hostile.next(new RowChange("sync_kv", SqlValues.encodeKey(List.of("bad-time")), Operation.INSERT, null,
                        "{\"key\":\"bad-time\",\"value\":\"x\",\"timestamp\":\"x\",\"deleted_at\":null}", null),
                        VersionVector.EMPTY),
                hostile.next(kvRow(Operation.INSERT, "fine", "fine", "within the limits"), VersionVector.EMPTY));

        JsonNode answer = push(a, entries.toArray(ChangeEntry[]::new));
        a.syncNow();

        assertThat(answer.get("rejected").asInt()).isZero();
        for (Node n : List.of(a, b)) {
            assertThat(n.kv()).as(n.toString()).containsEntry("fine", "within the limits")
                    .doesNotContainKeys("big-value", "bad-time", bigKey);
            SqliteCli file = new SqliteCli(dir.resolve(n == a ? "a" : "b").resolve("p2psync.db"));
            assertThat(file.exec("SELECT count(*) FROM sync_kv WHERE key IS NULL OR length(key) > 256"
                    + " OR length(value) > 65536 OR julianday(timestamp) IS NULL;").strip()).isEqualTo("0");
            for (ChangeEntry refused : entries.subList(0, 4)) {
                assertThat(heldEntry(n, refused)).as(refused.version() + " held on " + n).isNotNull();
            }
        }
        assertThat(heldEntry(a, entries.get(1)).get("reason").asString()).isEqualTo("limit");
        assertThat(heldEntry(a, entries.get(1)).get("detail").asString()).contains("p2psync.kv.max-key-size");
        assertThat(heldEntry(a, entries.get(2)).get("reason").asString()).isEqualTo("limit");
        assertThat(heldEntry(a, entries.get(2)).get("detail").asString()).contains("p2psync.kv.max-value-size");
    }

    @Test
    void anotherEncodingOfARevokedDevicesKeyIsNotAnotherDevice() {
        PrivateKey revoked = PrivateKey.generate();
        a.post("/devices", "{\"deviceId\":\"" + revoked.peerId() + "\"}");
        a.post("/devices/" + revoked.peerId() + "/revoke", "");
        // The same key with an unknown protobuf field appended: a peer id that differs from the key's own.
        byte[] canonical = revoked.publicKey().toProtobuf();
        byte[] padded = java.util.Arrays.copyOf(canonical, canonical.length + 2);
        padded[canonical.length] = 0x18; // field 3, varint
        padded[canonical.length + 1] = 0x01;
        byte[] multihash = new byte[padded.length + 2];
        multihash[1] = (byte) padded.length;
        System.arraycopy(padded, 0, multihash, 2, padded.length);
        String alias = new io.p2psync.p2p.core.PeerId(multihash).toString();
        assertThat(alias).isNotEqualTo(revoked.peerId().toString());

        ChangeEntry aliased = signedAs(revoked, alias, kvRow(Operation.INSERT, "by-alias", "by-alias", "revoked key"));
        JsonNode answer = push(a, aliased);

        assertThat(answer.get("accepted").asInt()).isZero();
        assertThat(answer.get("rejected").asInt()).isEqualTo(1);
        assertThat(a.kv()).doesNotContainKey("by-alias");
        assertThat(a.device(new io.p2psync.p2p.core.PeerId(multihash))).as("never listed as a device").isNull();
    }

    @Test
    void oneDeviceIntroducesAtMostTheLimitOfNewOriginsAndAnAdminCanAddMore() {
        List<PrivateKey> made = new ArrayList<>();
        List<ChangeEntry> entries = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            PrivateKey origin = PrivateKey.generate();
            made.add(origin);
            entries.add(signedAs(origin, origin.peerId().toString(),
                    kvRow(Operation.INSERT, "origin-" + i, "origin-" + i, "from a made-up device")));
        }

        JsonNode answer = push(a, entries.toArray(ChangeEntry[]::new));

        assertThat(answer.get("accepted").asInt()).isEqualTo(64);
        assertThat(answer.get("rejected").asInt()).isEqualTo(6);
        assertThat(answer.get("rejections").get(0).get("reason").asString()).isEqualTo("origin-limit");
        assertThat(a.get("/devices").json().size()).as("a, b, the hostile device and 64 it introduced")
                .isEqualTo(2 + 64);
        assertThat(a.kv()).containsKey("origin-63").doesNotContainKey("origin-64");

        a.post("/devices", "{\"deviceId\":\"" + made.get(64).peerId() + "\"}");
        JsonNode again = push(a, entries.get(64), entries.get(65));
        assertThat(again.get("accepted").asInt()).as("the origin an admin added").isEqualTo(1);
        assertThat(again.get("rejections").get(0).get("origin").asString()).isEqualTo(made.get(65).peerId().toString());
        assertThat(a.kv()).containsKey("origin-64").doesNotContainKey("origin-65");
    }

    @Test
    void anOriginThatSignedTwoEntriesWithOneVersionIsFoundAndRefusedUntilAPersonDecides() {
        ChangeEntry x = hostile.next(kvRow(Operation.INSERT, "fork", "fork", "x"), VersionVector.EMPTY);
        ChangeEntry y = new Forger(hostile.key).next(kvRow(Operation.INSERT, "fork", "fork", "y"), VersionVector.EMPTY);
        push(a, x);
        push(b, y);

        a.syncNow(); // a finds it pulling from b, b pulling from a
        b.syncNow();

        String origin = hostile.key.peerId().toString();
        for (Node n : List.of(a, b)) {
            JsonNode forks = n.get("/sync/forks").json();
            assertThat(forks.size()).as("forks on " + n).isEqualTo(1);
            assertThat(forks.get(0).get("origin").asString()).isEqualTo(origin);
            assertThat(forks.get(0).get("version").asLong()).isEqualTo(1);
            assertThat(n.get("/status").json().get("forks").asLong()).isEqualTo(1);
        }
        assertThat(a.get("/sync/forks").json().get(0).get("hashHere").asString()).isEqualTo(x.hash());
        assertThat(a.get("/sync/forks").json().get(0).get("hashThere").asString()).isEqualTo(y.hash());
        // a and b hold different entries as the origin's version 1, so their rows differ for good: neither calls
        // the other in sync, in the round that found the fork (b's) or in a round after it (a's second)
        a.syncNow();
        for (Node[] pair : new Node[][] {{a, b}, {b, a}}) {
            JsonNode peer = peerState(pair[0], pair[1]);
            assertThat(peer.get("status").asString()).as("%s's view of %s: %s", pair[0], pair[1], peer)
                    .isEqualTo("INCOMPLETE");
            assertThat(peer.path("refusedReasons").path("forked-origin").asInt()).as("%s", peer).isEqualTo(1);
        }
        for (Node n : List.of(a, b)) {
            assertThat(n.outOfServiceReason()).contains("1 forked origin").contains("GET /sync/forks");
        }

        ChangeEntry later = hostile.next(kvRow(Operation.INSERT, "after-fork", "after-fork", "v"), VersionVector.EMPTY);
        JsonNode refused = push(a, later);
        assertThat(refused.get("rejected").asInt()).isEqualTo(1);
        assertThat(refused.get("rejections").get(0).get("reason").asString()).isEqualTo("forked-origin");
        assertThat(a.kv()).doesNotContainKey("after-fork");

        Node.Response cleared = Node.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(a.url + "/sync/forks/" + origin)).DELETE());
        assertThat(cleared.status()).isEqualTo(204);
        assertThat(a.get("/actuator/health").status()).as("no fork left on a").isEqualTo(200);
        assertThat(push(a, later).get("accepted").asInt()).as("a person cleared the fork").isEqualTo(1);
        assertThat(a.kv()).containsEntry("after-fork", "v");
    }

    /** {@code peer}'s row in {@code at}'s {@code GET /peers}. */
    private static JsonNode peerState(Node at, Node peer) {
        for (JsonNode p : at.get("/peers").json()) {
            if (peer.id.toString().equals(p.path("deviceId").asString())) {
                return p;
            }
        }
        throw new AssertionError(peer + " is not in " + at + "'s /peers");
    }

    /** Entry 1 of {@code origin} (any text), signed with {@code key}. */
    private static ChangeEntry signedAs(PrivateKey key, String origin, RowChange c) {
        long now = System.currentTimeMillis();
        ChangeEntry draft = new ChangeEntry(origin, 1, now << 16, now, c.table(), c.recordId(), c.operation(), c.kind(),
                c.data(), c.changedColumns(), VersionVector.EMPTY, null, "0".repeat(64), "AA==");
        String hash = draft.computeHash();
        String signature = java.util.Base64.getEncoder().encodeToString(
                key.sign(java.util.HexFormat.of().parseHex(hash)));
        return new ChangeEntry(origin, 1, draft.hlc(), now, c.table(), c.recordId(), c.operation(), c.kind(), c.data(),
                c.changedColumns(), VersionVector.EMPTY, null, hash, signature);
    }

    private JsonNode push(Node to, ChangeEntry... entries) {
        Node.Response r = to.signedPost(hostile.key, "/sync/push",
                Node.JSON.writeValueAsBytes(Map.of("entries", Arrays.asList(entries))), Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode heldEntry(Node n, ChangeEntry e) {
        JsonNode held = n.get("/sync/held?limit=1000").json();
        for (JsonNode item : held.get("entries")) {
            if (item.get("entry").asString().equals(e.origin() + "#" + e.version())) {
                return item;
            }
        }
        return null;
    }

    private static RowChange kvRow(Operation op, String recordKey, String dataKey, String value) {
        String data = Node.JSON.writeValueAsString(Map.of("key", dataKey, "value", value,
                "timestamp", Instant.now().toString()));
        return new RowChange("sync_kv", SqlValues.encodeKey(List.of(recordKey)), op, null, data, null);
    }

    /** Seals and chains entries of its own key, each ending its group. */
    private static final class Forger {
        final PrivateKey key;
        final DeviceIdentity identity;
        final List<ChangeEntry> made = new ArrayList<>();

        Forger(PrivateKey key) {
            this.key = key;
            this.identity = new DeviceIdentity(key);
        }

        ChangeEntry next(RowChange change, VersionVector base) {
            String prev = made.isEmpty() ? null : made.get(made.size() - 1).hash();
            long now = System.currentTimeMillis();
            ChangeEntry e = ChangeEntry.seal(identity, made.size() + 1, (now << 16) + made.size(), now, change, base,
                    prev);
            made.add(e);
            return e;
        }
    }
}
