package io.p2psync.devices;

/**
 * Where the devices feature's servlet filters sit. A filter that must see a {@code /sync/*} body only
 * after it was authenticated (decompression, for one) must come after {@link #SIGNATURE}.
 */
public final class DevicesFilterOrder {

    /** The admin guard: before anything reads the body. */
    public static final int ADMIN_GUARD = -200;
    /**
     * The request signature check, which reads the body as it came off the wire, and only once the headers
     * name an authorized device; nothing before it may read a {@code /sync/*} body.
     */
    public static final int SIGNATURE = -150;

    private DevicesFilterOrder() {
    }
}
