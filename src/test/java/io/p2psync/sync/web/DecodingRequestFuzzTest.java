package io.p2psync.sync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.p2psync.testing.Mutations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * A sync request body read as the controllers read it, through {@link DecodingRequest}: gunzip (when sent
 * gzipped) and the decoded-size limit. Arbitrary and damaged gzip either decodes within the limit or is
 * refused with an {@link IOException} (a {@link BodyTooLargeException} past the limit); nothing else escapes
 * and no more than the limit is ever handed to the reader.
 */
class DecodingRequestFuzzTest {

    private static final int LIMIT = 64 * 1024;

    @Property(tries = 1000)
    void damagedGzipDecodesWithinTheLimitOrIsRefused(@ForAll("damagedGzip") Mutations.Mutant body) {
        assertReadsWithinTheLimitOrRefuses(body.bytes(), true);
    }

    @Property(tries = 500)
    void arbitraryBytesDecodeWithinTheLimitOrAreRefused(@ForAll("anyBytes") byte[] body) {
        assertReadsWithinTheLimitOrRefuses(body, true);
        assertReadsWithinTheLimitOrRefuses(body, false);
    }

    @Example
    void aSmallBodyThatInflatesPastTheLimitIsRefusedAtTheLimit() throws IOException {
        byte[] bomb = gzip(new byte[16 * 1024 * 1024]); // 16 MiB of zeros in about 16 KiB
        assertThat(bomb.length).isLessThan(LIMIT);

        try (InputStream in = request(bomb, true).getInputStream()) {
            byte[] buf = new byte[8192];
            long[] read = {0};
            assertThatThrownBy(() -> {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read[0] += n;
                }
            }).isInstanceOf(BodyTooLargeException.class);
            assertThat(read[0]).isLessThanOrEqualTo(LIMIT);
        }
    }

    @Provide
    Arbitrary<Mutations.Mutant> damagedGzip() {
        byte[] pull = "{\"format\":1,\"vector\":{\"12D3KooWA\":42},\"limit\":5000}".getBytes(StandardCharsets.UTF_8);
        byte[] big = new byte[LIMIT + 1];
        Arrays.fill(big, (byte) 'a');
        return Mutations.of(List.of(gzip(pull), gzip(big), gzip(new byte[0])));
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(512);
    }

    private static void assertReadsWithinTheLimitOrRefuses(byte[] body, boolean gzip) {
        long read = 0;
        try (InputStream in = request(body, gzip).getInputStream()) {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                read += n;
                assertThat(read).isLessThanOrEqualTo(LIMIT);
            }
        } catch (IOException refused) {
            // a damaged stream (ZipException, EOFException) or the limit (BodyTooLargeException)
            assertThat(read).isLessThanOrEqualTo(LIMIT);
        }
    }

    private static DecodingRequest request(byte[] body, boolean gzip) {
        MockHttpServletRequest raw = new MockHttpServletRequest("POST", "/sync/push");
        raw.setContent(body);
        if (gzip) {
            raw.addHeader("Content-Encoding", "gzip");
        }
        return new DecodingRequest(raw, gzip, LIMIT);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
