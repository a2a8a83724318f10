package io.p2psync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.FormerColumns;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.LogPage;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync wire format, pinned by files under {@code src/test/resources/wire}: what this build writes is
 * byte for byte what the files hold, and what the files hold reads back as the same domain entries with
 * their hashes and signatures intact. A change to a domain record that would change the protocol fails here.
 */
class WireFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DeviceIdentity ALICE = new DeviceIdentity(PrivateKey.fromSeed(new byte[32]));
    private static final ChangeEntry FIRST = ChangeEntry.seal(ALICE, 1, 42L << 16, 1000,
            new RowChange("notes", "[\"n1\"]", Operation.INSERT, Kind.EDIT,
                    "{\"id\":\"n1\",\"title\":\"caf\u00e9\",\"r\":0.30000000000000004,\"photo\":{\"blob\":\"AP8=\"}}", null),
            VersionVector.of(Map.of("12D3KooWBob", 3L)), null);
    private static final ChangeEntry SECOND = ChangeEntry.seal(ALICE, 2, (42L << 16) + 1, 1001,
            new RowChange("notes", "[\"n1\"]", Operation.DELETE, Kind.RESOLUTION, null, null),
            FIRST.vector(), FIRST.hash());

    /**
     * A group of two: the first continues it ({@code "continues":true} on the wire, no signature), the second
     * ends it and signs for both.
     */
    private static final ChangeEntry OPENS = ChangeEntry.seal(ALICE, 1, 43L << 16, 2000,
            new RowChange("accounts", "[\"a\"]", Operation.UPDATE, Kind.EDIT, "{\"id\":\"a\",\"balance\":90}",
                    "[\"balance\"]"), VersionVector.EMPTY, null, true);
    private static final ChangeEntry ENDS = ChangeEntry.seal(ALICE, 2, (43L << 16) + 1, 2000,
            new RowChange("accounts", "[\"b\"]", Operation.UPDATE, Kind.EDIT, "{\"id\":\"b\",\"balance\":110}",
                    "[\"balance\"]"), VersionVector.EMPTY, OPENS.hash(), false);

    @Test
    void aGroupTravelsWithContinuesOnEveryEntryButItsLast() {
        assertThat(JSON.writeValueAsString(PushRequestBody.of(List.of(OPENS, ENDS))))
                .isEqualTo(pinned("push-request-group.json"));
        List<ChangeEntry> read = JSON.readValue(pinned("push-request-group.json"), PushRequestBody.class).domainEntries();
        assertThat(read).containsExactly(OPENS, ENDS);
        assertThat(read.get(0).continues()).isTrue();
        assertThat(read.get(1).continues()).isFalse();
        assertThat(read).allSatisfy(e -> assertThat(e.hashValid()).isTrue());
        assertThat(read.get(0).signature()).isNull();
        assertThat(read.get(1).signatureValid()).isTrue();
        // continues is covered by the hash: an entry that claims to end the group where it did not fails
        // (unsigned, it is not even well formed; with a signature taken from elsewhere its hash fails)
        String cut = pinned("push-request-group.json").replace(",\"continues\":true", "");
        assertThatThrownBy(() -> JSON.readValue(cut, PushRequestBody.class).domainEntries())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signature");
        String signed = pinned("push-request-group.json").replace(",\"continues\":true",
                ",\"signature\":\"" + ENDS.signature() + "\"");
        assertThat(JSON.readValue(signed, PushRequestBody.class).domainEntries().get(0).hashValid()).isFalse();
        // and false written out is the same as absent
        String explicit = pinned("push-request-group.json").replace("\"signature\":\"" + ENDS.signature() + "\"",
                "\"signature\":\"" + ENDS.signature() + "\",\"continues\":false");
        assertThat(JSON.readValue(explicit, PushRequestBody.class).domainEntries()).containsExactly(OPENS, ENDS);
    }

    @Test
    void writesExactlyThePinnedPullAndPushBodies() {
        assertThat(JSON.writeValueAsString(PullRequestBody.of(VersionVector.of(Map.of("12D3KooWBob", 3L)), 500)))
                .isEqualTo(pinned("pull-request.json"));
        assertThat(JSON.writeValueAsString(PullResponseBody.of(List.of(FIRST, SECOND), SECOND.vector(), true)))
                .isEqualTo(pinned("pull-response.json"));
        assertThat(JSON.writeValueAsString(PushRequestBody.of(List.of(FIRST, SECOND))))
                .isEqualTo(pinned("push-request.json"));
    }

    @Test
    void namesWhatBecameOfTheServersFormerColumnsLastAndOnlyWhenThereAreSome() {
        String json = JSON.writeValueAsString(PullResponseBody.of(List.of(), VersionVector.EMPTY, false, List.of(),
                Map.of(), Map.of("items", new FormerColumns(Map.of("title", "name"), Set.of("extra")))));
        assertThat(json).isEqualTo("{\"format\":1,\"entries\":[],\"serverVector\":{},\"more\":false,"
                + "\"formerColumns\":{\"items\":{\"renamedTo\":{\"title\":\"name\"},\"dropped\":[\"extra\"]}}}");
        assertThat(JSON.readValue(json, PullResponseBody.class).domainFormerColumns())
                .isEqualTo(Map.of("items", new FormerColumns(Map.of("title", "name"), Set.of("extra"))));
        assertThat(JSON.readValue(pinned("pull-response.json"), PullResponseBody.class).domainFormerColumns()).isEmpty();
        for (String broken : List.of(json.replace("\"name\"", "\"title\""), json.replace("\"name\"", "\" \""),
                json.replace("\"name\"", "null"), json.replace("[\"extra\"]", "[\"title\"]"),
                json.replace("{\"renamedTo\":{\"title\":\"name\"},\"dropped\":[\"extra\"]}", "null"))) {
            assertThatThrownBy(() -> JSON.readValue(broken, PullResponseBody.class).domainFormerColumns())
                    .as(broken).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aServerWithMoreFormerColumnsThanAReaderTakesSendsAsManyAsItTakesRenamesFirst() {
        Map<String, String> renamed = new java.util.HashMap<>();
        Set<String> dropped = new java.util.HashSet<>();
        for (int i = 0; i < 600; i++) {
            renamed.put("r" + i, "now" + i);
            dropped.add("d" + i);
        }
        PullResponseBody body = PullResponseBody.of(List.of(), VersionVector.EMPTY, false, List.of(), Map.of(),
                Map.of("items", new FormerColumns(renamed, dropped)));

        FormerColumns sent = body.domainFormerColumns().get("items");
        assertThat(sent.renamedTo()).isEqualTo(renamed);
        assertThat(sent.dropped()).hasSize(PullResponseBody.MAX_FORMER_COLUMNS - 600);
    }

    @Test
    void namesEntriesKeptBackAsTooLargeAfterMoreAndOnlyWhenThereAreSome() {
        String json = JSON.writeValueAsString(PullResponseBody.of(List.of(), VersionVector.EMPTY, false,
                List.of(new LogPage.TooLarge("12D3KooWBob", 7, 104857600L))));
        assertThat(json).isEqualTo("{\"format\":1,\"entries\":[],\"serverVector\":{},\"more\":false,"
                + "\"tooLarge\":[{\"origin\":\"12D3KooWBob\",\"version\":7,\"size\":104857600}]}");
        assertThat(JSON.readValue(json, PullResponseBody.class).domainTooLarge())
                .containsExactly(new LogPage.TooLarge("12D3KooWBob", 7, 104857600L));
        assertThat(JSON.readValue(pinned("pull-response.json"), PullResponseBody.class).domainTooLarge()).isEmpty();
        String broken = json.replace("\"version\":7", "\"version\":0");
        assertThatThrownBy(() -> JSON.readValue(broken, PullResponseBody.class).domainTooLarge())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsThePinnedBodiesBackAsIntactEntries() {
        PullResponseBody page = JSON.readValue(pinned("pull-response.json"), PullResponseBody.class);
        assertThat(page.domainEntries()).containsExactly(FIRST, SECOND);
        assertThat(page.domainEntries()).allSatisfy(e -> {
            assertThat(e.hashValid()).isTrue();
            assertThat(e.signatureValid()).isTrue();
        });
        assertThat(page.server()).isEqualTo(SECOND.vector());
        assertThat(page.more()).isTrue();
        assertThat(JSON.readValue(pinned("push-request.json"), PushRequestBody.class).domainEntries())
                .containsExactly(FIRST, SECOND);
        assertThat(JSON.readValue(pinned("pull-request.json"), PullRequestBody.class).known())
                .isEqualTo(VersionVector.of(Map.of("12D3KooWBob", 3L)));
    }

    @Test
    void aBodyWithoutFormatIsFormatOneAndAnyOtherFormatIsRefused() {
        assertThat(JSON.readValue("{\"vector\":{}}", PullRequestBody.class).known()).isEqualTo(VersionVector.EMPTY);
        assertThatThrownBy(() -> JSON.readValue("{\"format\":2,\"entries\":[]}", PushRequestBody.class))
                .hasRootCauseInstanceOf(WireFormat.UnsupportedFormatException.class)
                .rootCause().hasMessageContaining("wire format 2 is not supported");
    }

    @Test
    void malformedEntriesAreRefusedWhenConverted() {
        String bad = pinned("push-request.json").replace("\"operation\":\"INSERT\"", "\"operation\":\"UPSERT\"");
        PushRequestBody body = JSON.readValue(bad, PushRequestBody.class);
        assertThatThrownBy(body::domainEntries).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UPSERT");
        String negative = pinned("pull-request.json").replace(":3}", ":-3}");
        assertThatThrownBy(() -> JSON.readValue(negative, PullRequestBody.class).known())
                .isInstanceOf(IllegalArgumentException.class);
    }

    static String pinned(String name) {
        try (InputStream in = WireFormatTest.class.getResourceAsStream("/wire/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource wire/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
