package io.p2psync.changes;

import java.util.List;

/**
 * A page of entries another device lacks, bounded by count and by bytes ({@link ChangeTracker#page}).
 *
 * @param entries  the entries, oldest first per origin; per origin a prefix of what the other device lacks
 * @param bytes    the sum of the entries' {@linkplain ChangeTracker#page sizes}
 * @param more     true if entries the other device lacks were left out for the count or the byte budget (asking
 *                 again with the vector raised by {@code entries} gets them); entries kept back as too large
 *                 do not count
 * @param tooLarge per origin, the first entry the other device lacks that is larger than the maximum entry
 *                 size: it is not in the page, and neither is anything after it of that origin
 */
public record LogPage(List<ChangeEntry> entries, long bytes, boolean more, List<TooLarge> tooLarge) {

    public LogPage {
        entries = List.copyOf(entries);
        tooLarge = List.copyOf(tooLarge);
    }

    /**
     * An entry larger than the maximum entry size.
     *
     * @param origin  its origin
     * @param version its version
     * @param size    its size in bytes ({@link ChangeTracker#page})
     */
    public record TooLarge(String origin, long version, long size) {
    }
}
