package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** A push answer as it comes from a peer: what a round can rely on once it is read. */
class PushResponseTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A rejection without a reason (a faulty or foreign peer) counts as {@code other}, as an unknown code does:
     * the round used to fail on it with a NullPointerException, past the record of its failure.
     */
    @Test
    void aRejectionWithoutAReasonCountsAsOther() {
        PushResponse answer = JSON.readValue("""
                {"accepted":0,"duplicates":0,"conflicts":0,"held":0,"rejected":1,
                 "rejections":[{"origin":"12D3KooWexample","version":3,"detail":"no"}]}""", PushResponse.class);

        assertThat(answer.rejections()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectionReason.OTHER));
    }

    @Test
    void aRejectionWithoutAnOriginIsAMalformedAnswer() {
        assertThatThrownBy(() -> JSON.readValue("""
                {"accepted":0,"duplicates":0,"conflicts":0,"held":0,"rejected":1,
                 "rejections":[{"version":3,"reason":"gap"}]}""", PushResponse.class))
                .isInstanceOf(JacksonException.class).hasMessageContaining("origin");
    }
}
