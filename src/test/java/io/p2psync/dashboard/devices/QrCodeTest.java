package io.p2psync.dashboard.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.p2psync.p2p.core.PrivateKey;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The QR code drawn for the page reads back as the device id when scanned (ZXing's own reader). */
class QrCodeTest {

    private static final Pattern VIEW_BOX = Pattern.compile("viewBox=\"0 0 (\\d+) \\d+\"");
    private static final Pattern MODULE = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z");
    private static final int PIXELS_PER_MODULE = 4;

    @org.junit.jupiter.api.RepeatedTest(50) // a random device id each time
    void theSvgScansAsTheDeviceId() throws Exception {
        String id = PrivateKey.generate().peerId().toString();
        String svg = QrCode.svg(id, "QR code of " + id);

        Matcher size = VIEW_BOX.matcher(svg);
        assertThat(size.find()).isTrue();
        int modules = Integer.parseInt(size.group(1));
        int side = modules * PIXELS_PER_MODULE;
        int[] pixels = new int[side * side];
        java.util.Arrays.fill(pixels, 0xFFFFFFFF);
        Matcher m = MODULE.matcher(svg);
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            for (int dy = 0; dy < PIXELS_PER_MODULE; dy++) {
                for (int dx = 0; dx < PIXELS_PER_MODULE; dx++) {
                    pixels[(y * PIXELS_PER_MODULE + dy) * side + x * PIXELS_PER_MODULE + dx] = 0xFF000000;
                }
            }
        }
        LuminanceSource image = new RGBLuminanceSource(side, side, pixels);
        // the image is drawn module for module, so it is read as a pure code; the finder-pattern search the default
        // takes (meant for photos) missed some codes of random ids now and then
        String scanned = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(image)),
                java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();

        assertThat(scanned).isEqualTo(id);
        assertThat(svg).contains("<title>QR code of " + id + "</title>");
    }
}
