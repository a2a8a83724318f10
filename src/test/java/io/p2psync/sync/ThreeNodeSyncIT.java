package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.SqlValues;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three real nodes in one JVM, each with its own SQLite file and HTTP port, talking real HTTP. A and B are
 * paired, B and C are paired; A and C never are. Tests use distinct keys and devices, so their order does
 * not matter.
 */
class ThreeNodeSyncIT {

    private static final String[] LIMITS = {
            "p2psync.sync.max-body-size=256KB",
            "p2psync.sync.page-bytes=128KB", // pages and single entries must fit the small body limit
            "p2psync.sync.max-entry-size=128KB",
            "p2psync.sync.max-push-entries=50",
            "p2psync.sync.push-page-size=20",
            "p2psync.sync.pull-page-size=7",
            "p2psync.sync.auto=false"}; // only /sync/now syncs, so the counts below are the protocol's alone

    @TempDir
    static Path dir;
    static Node a;
    static Node b;
    static Node c;

    @BeforeAll
    static void startNodes() {
        a = Node.start("a", dir.resolve("a"), LIMITS);
        b = Node.start("b", dir.resolve("b"), LIMITS);
        c = Node.start("c", dir.resolve("c"), LIMITS);
        a.pairWith(b);
        b.pairWith(a);
        b.pairWith(c);
        c.pairWith(b);
    }

    @AfterAll
    static void stopNodes() {
        for (Node n : new Node[] {a, b, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void writesOnEveryNodeConvergeAfterSyncNow() {
        for (int i = 0; i < 10; i++) {
            a.put("conv-a" + i, "from a " + i);
            b.put("conv-b" + i, "from b " + i);
            c.put("conv-c" + i, "from c " + i);
        }
        JsonNode round = a.syncNow();
        assertThat(round).hasSize(1);
        assertThat(round.get(0).get("peer").asString()).isEqualTo(b.id.toString());
        assertThat(round.get(0).get("error").isNull()).isTrue();
        c.syncNow();
        a.syncNow();

        Map<String, String> onA = converged(a.kv());
        assertThat(onA).containsKeys("conv-a9", "conv-b9", "conv-c9").containsEntry("conv-c3", "from c 3");
        assertThat(converged(b.kv())).isEqualTo(onA);
        assertThat(converged(c.kv())).isEqualTo(onA);
        assertThat(b.device(a.id).get("lastSyncAt").isNull()).isFalse();
    }

    @Test
    void relaysChangesFromAToCThroughBThoughAAndCNeverPaired() {
        a.put("relay", "made on a");
        a.syncNow();
        c.syncNow();

        assertThat(c.kv()).containsEntry("relay", "made on a");
        JsonNode aOnC = c.device(a.id);
        assertThat(aOnC.get("status").asString()).isEqualTo("INTRODUCED");
        assertThat(aOnC.get("introducedBy").asString()).isEqualTo(b.id.toString());
        assertThat(aOnC.get("authorized").asBoolean()).isFalse();
    }

    @Test
    void anUnpairedDeviceGets401AndIsListedAsPending() {
        PrivateKey stranger = PrivateKey.generate();
        Node.Response first = a.signedPost(stranger, "/sync/pull", "{}".getBytes(), Map.of());
        assertProblem(first, 401, "unknown-device");

        JsonNode listed = a.device(stranger.peerId());
        assertThat(listed.get("status").asString()).isEqualTo("PENDING");
        assertThat(listed.get("lastAddress").asString()).isEqualTo("127.0.0.1");
        assertProblem(a.signedPost(stranger, "/sync/pull", "{}".getBytes(), Map.of()), 401, "device-not-authorized");

        assertThat(a.post("/devices/" + stranger.peerId() + "/authorize", "").status()).isEqualTo(200);
        assertThat(a.signedPost(stranger, "/sync/pull", "{}".getBytes(), Map.of()).status()).isEqualTo(200);
    }

    @Test
    void aTamperedEntryIsRejectedWithItsReasonAndNothingAfterItFromThatOriginApplies() {
        PrivateKey sender = PrivateKey.generate();
        b.post("/devices", "{\"deviceId\":\"" + sender.peerId() + "\",\"name\":\"sender\"}");
        PrivateKey other = PrivateKey.generate();
        List<ChangeEntry> chain = chain(sender, "tamper", 3);
        ChangeEntry second = chain.get(1);
        ChangeEntry tampered = new ChangeEntry(second.origin(), second.version(), second.hlc(), second.timestamp(),
                second.table(), second.recordId(), second.operation(), second.kind(),
                second.data().replace("value 2", "evil"), second.changedColumns(), second.base(), second.prevHash(),
                second.hash(), second.signature());
        List<ChangeEntry> batch = new ArrayList<>(List.of(chain.get(0), tampered, chain.get(2)));
        batch.addAll(chain(other, "bystander", 1));

        Node.Response r = b.signedPost(sender, "/sync/push", json(Map.of("entries", batch)), Map.of());

        assertThat(r.status()).isEqualTo(200);
        JsonNode answer = r.json();
        assertThat(answer.get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.get("rejected").asInt()).isEqualTo(2);
        JsonNode rejections = answer.get("rejections");
        assertThat(rejections.get(0).get("version").asLong()).isEqualTo(2);
        assertThat(rejections.get(0).get("reason").asString()).startsWith("bad-hash");
        assertThat(rejections.get(1).get("version").asLong()).isEqualTo(3);
        assertThat(rejections.get(1).get("reason").asString()).startsWith("earlier-entry-rejected");
        Map<String, String> kv = b.kv();
        assertThat(kv).containsEntry("tamper1", "value 1").containsEntry("bystander1", "value 1")
                .doesNotContainKeys("tamper2", "tamper3");
        assertThat(b.device(other.peerId()).get("status").asString()).isEqualTo("INTRODUCED");
        assertThat(b.device(other.peerId()).get("introducedBy").asString()).isEqualTo(sender.peerId().toString());
    }

    @Test
    void refusesEntriesWhoseOriginIsRevokedHere() {
        PrivateKey sender = PrivateKey.generate();
        PrivateKey revoked = PrivateKey.generate();
        a.post("/devices", "{\"deviceId\":\"" + sender.peerId() + "\"}");
        a.post("/devices", "{\"deviceId\":\"" + revoked.peerId() + "\"}");
        a.post("/devices/" + revoked.peerId() + "/revoke", "");

        Node.Response r = a.signedPost(sender, "/sync/push",
                json(Map.of("entries", chain(revoked, "revoked", 1))), Map.of());

        assertThat(r.json().get("rejected").asInt()).isEqualTo(1);
        assertThat(r.json().get("rejections").get(0).get("reason").asString()).startsWith("revoked-origin");
        assertThat(a.kv()).doesNotContainKey("revoked1");
    }

    @Test
    void revokingADeviceKeepsWhatItMadeBeforeAndTheOriginsItIntroduced() {
        PrivateKey laptop = PrivateKey.generate();
        PrivateKey phone = PrivateKey.generate();
        PrivateKey tablet = PrivateKey.generate(); // known here only through the laptop
        a.post("/devices", "{\"deviceId\":\"" + laptop.peerId() + "\"}");
        a.post("/devices", "{\"deviceId\":\"" + phone.peerId() + "\"}");
        List<ChangeEntry> byLaptop = chain(laptop, "before-revoke", 2);
        List<ChangeEntry> byTablet = chain(tablet, "introduced", 2);
        a.signedPost(laptop, "/sync/push", json(Map.of("entries", List.of(byLaptop.get(0), byTablet.get(0)))), Map.of());

        a.post("/devices/" + laptop.peerId() + "/revoke", "");

        assertProblem(a.signedPost(laptop, "/sync/pull", "{}".getBytes(), Map.of()), 401, "device-revoked");
        Node.Response relayed = a.signedPost(phone, "/sync/push",
                json(Map.of("entries", List.of(byLaptop.get(1), byTablet.get(1)))), Map.of());
        assertThat(relayed.json().get("rejected").asInt()).as("the laptop's later entry, relayed").isEqualTo(1);
        assertThat(relayed.json().get("rejections").get(0).get("reason").asString()).startsWith("revoked-origin");
        assertThat(relayed.json().get("accepted").asInt()).as("the tablet's, which the laptop introduced").isEqualTo(1);
        assertThat(a.kv()).as("what the laptop made before it was revoked stays")
                .containsEntry("before-revoke1", "value 1").doesNotContainKey("before-revoke2")
                .containsEntry("introduced1", "value 1").containsEntry("introduced2", "value 2");
        assertThat(a.device(tablet.peerId()).get("status").asString()).isEqualTo("INTRODUCED");
    }

    @Test
    void refusesAReplayedRequest() {
        PrivateKey device = PrivateKey.generate();
        c.post("/devices", "{\"deviceId\":\"" + device.peerId() + "\"}");
        byte[] body = "{\"vector\":{}}".getBytes();
        Map<String, String> signature = io.p2psync.devices.RequestSignature.sign(device, "POST", "/sync/pull", c.id,
                Instant.now(), body);

        assertThat(c.sendSigned("/sync/pull", body, Map.of(), signature).status()).isEqualTo(200);
        assertProblem(c.sendSigned("/sync/pull", body, Map.of(), signature), 401, "replayed-nonce");
    }

    @Test
    void malformedAndOversizedPushesGetProblemBodiesAndChangeNothing() throws Exception {
        PrivateKey device = PrivateKey.generate();
        c.post("/devices", "{\"deviceId\":\"" + device.peerId() + "\"}");
        long entriesBefore = c.logEntries();
        Map<String, String> kvBefore = c.kv();

        assertProblem(c.signedPost(device, "/sync/push", "{\"entries\":[{\"origin\":".getBytes(), Map.of()),
                400, "malformed-request");
        assertProblem(c.signedPost(device, "/sync/push", "{\"entries\":[{\"version\":0}]}".getBytes(), Map.of()),
                400, "malformed-request");
        assertProblem(c.signedPost(device, "/sync/push", "{\"format\":2,\"entries\":[]}".getBytes(), Map.of()),
                400, "unsupported-format");
        assertProblem(c.signedPost(device, "/sync/pull", "{\"format\":2}".getBytes(), Map.of()),
                400, "unsupported-format");
        assertProblem(c.signedPost(device, "/sync/pull", "{\"vector\":{\"x\":-1}}".getBytes(), Map.of()),
                400, "malformed-request");
        assertProblem(c.signedPost(device, "/sync/push", json(Map.of("entries", chain(device, "many", 51))),
                Map.of()), 413, "too-many-entries");
        byte[] big = ("{\"entries\":[],\"pad\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes();
        assertProblem(c.signedPost(device, "/sync/push", big, Map.of()), 413, "body-too-large");
        assertProblem(c.signedPost(device, "/sync/push", gzip(big), Map.of("Content-Encoding", "gzip")),
                413, "body-too-large");

        assertThat(c.logEntries()).isEqualTo(entriesBefore);
        assertThat(c.kv()).isEqualTo(kvBefore);
    }

    @Test
    void acceptsAGzipCompressedPush() throws Exception {
        PrivateKey device = PrivateKey.generate();
        a.post("/devices", "{\"deviceId\":\"" + device.peerId() + "\"}");
        byte[] body = json(Map.of("entries", chain(device, "zipped", 2)));

        Node.Response r = a.signedPost(device, "/sync/push", gzip(body), Map.of("Content-Encoding", "gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
        assertThat(a.kv()).containsEntry("zipped2", "value 2");
    }

    @Test
    void answersLargePullsGzippedToCallersThatAcceptIt() {
        PrivateKey device = PrivateKey.generate();
        b.post("/devices", "{\"deviceId\":\"" + device.peerId() + "\"}");
        b.signedPost(device, "/sync/push", json(Map.of("entries", chain(device, "big", 40))), Map.of());
        byte[] body = ("{\"vector\":{},\"limit\":10000}").getBytes();

        Node.Response r = b.signedPost(device, "/sync/pull", body, Map.of("Accept-Encoding", "gzip"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentEncoding()).isEqualTo("gzip");
        assertThat(r.json().get("entries").size()).isGreaterThanOrEqualTo(40);
    }

    /** kv pairs without the keys other tests write concurrently into the same nodes. */
    private static Map<String, String> converged(Map<String, String> kv) {
        Map<String, String> out = new java.util.TreeMap<>();
        kv.forEach((k, v) -> {
            if (k.startsWith("conv-")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Entries 1..n made by {@code key}: kv rows {@code prefix1..prefixN} with values "value i". */
    static List<ChangeEntry> chain(PrivateKey key, String prefix, int n) {
        DeviceIdentity identity = new DeviceIdentity(key);
        List<ChangeEntry> out = new ArrayList<>();
        String prev = null;
        long now = System.currentTimeMillis();
        for (int i = 1; i <= n; i++) {
            String k = prefix + i;
            String data = "{\"key\":\"" + k + "\",\"value\":\"value " + i + "\",\"timestamp\":\""
                    + Instant.ofEpochMilli(now) + "\",\"deleted_at\":null}";
            ChangeEntry e = ChangeEntry.seal(identity, i, (now << 16) + i, now,
                    new RowChange("sync_kv", SqlValues.encodeKey(List.of(k)), Operation.INSERT, null, data, null),
                    VersionVector.EMPTY, prev);
            out.add(e);
            prev = e.hash();
        }
        return out;
    }

    private static byte[] json(Object value) {
        return Node.JSON.writeValueAsBytes(value);
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static void assertProblem(Node.Response r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:p2psync:problem:" + type);
        assertThat(r.json().get("title").asString()).isNotBlank();
    }
}
