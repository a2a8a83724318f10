package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnsignedVarintTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Examples from the multiformats unsigned-varint spec. */
    @ParameterizedTest
    @CsvSource({"1,01", "127,7f", "128,8001", "255,ff01", "300,ac02", "16384,808001",
            "9223372036854775807,ffffffffffffffff7f"})
    void encodesAndDecodesTheSpecExamples(long value, String hex) {
        assertThat(HEX.formatHex(UnsignedVarint.encode(value))).isEqualTo(hex);
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex(hex));
        assertThat(UnsignedVarint.read(in)).isEqualTo(value);
        assertThat(in.hasRemaining()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "ff80", "8000", "ffffffffffffffffff01"})
    void rejectsTruncatedNonMinimalOrOverlongInput(String hex) {
        assertThatThrownBy(() -> UnsignedVarint.read(ByteBuffer.wrap(HEX.parseHex(hex))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
