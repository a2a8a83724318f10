package io.p2psync.changes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Identical first seals of one row, counted as one write. Devices that start from copies of one file each seal
 * the rows they already had (the reconciliation scan at the first start) as INSERTs on an empty base; where
 * the rows are the same, those entries are copies of one state, not writes that compete.
 *
 * <p>Two entries of a row are <em>twins</em> when both are INSERTs of kind EDIT with an empty base and their
 * rows have the same columns with the same values ({@link SqlValues#sameRow}; column order does not matter).
 * Then a vector that covers one twin counts as covering all of them ({@link #close}): a change made on top of
 * one device's copy is made on top of every device's copy, and a row that has seen one copy has seen them all.
 * The twins of a row are a function of the set of its entries, so every device that holds the same entries
 * decides the same way, whichever order they came in.
 */
public final class Twins {

    /** No twins. */
    public static final Twins NONE = new Twins(List.of());

    /** Groups of two or more twins. */
    private final List<List<ChangeEntry>> groups;

    private Twins(List<List<ChangeEntry>> groups) {
        this.groups = groups;
    }

    /** True if {@code e} could have twins: an INSERT of kind EDIT on an empty base (a row's first seal). */
    public static boolean firstSeal(ChangeEntry e) {
        return e.operation() == Operation.INSERT && e.kind() == Kind.EDIT && e.base().isEmpty() && e.data() != null;
    }

    /**
     * The twins among entries of one row. Only first seals are decoded, and only if there are two of them;
     * one whose data does not decode has no twin.
     */
    public static Twins among(Collection<ChangeEntry> entries) {
        int seals = 0;
        for (ChangeEntry e : entries) {
            if (firstSeal(e)) {
                seals++;
            }
        }
        if (seals < 2) {
            return NONE;
        }
        Map<ChangeEntry, Map<String, Object>> rows = new LinkedHashMap<>();
        for (ChangeEntry e : entries) {
            if (firstSeal(e)) {
                try {
                    rows.put(e, SqlValues.decodeRow(e.data()));
                } catch (IllegalArgumentException undecodable) {
                    // no twin, the same way on every device
                }
            }
        }
        return grouped(rows);
    }

    /** As {@link #among}, for entries of one row whose rows are decoded already (null for a DELETE). */
    public static Twins amongDecoded(Map<ChangeEntry, Map<String, Object>> rows) {
        Map<ChangeEntry, Map<String, Object>> seals = new LinkedHashMap<>();
        rows.forEach((e, row) -> {
            if (row != null && firstSeal(e)) {
                seals.put(e, row);
            }
        });
        return seals.size() < 2 ? NONE : grouped(seals);
    }

    private static Twins grouped(Map<ChangeEntry, Map<String, Object>> seals) {
        List<List<ChangeEntry>> groups = new ArrayList<>();
        List<Map<String, Object>> rowOfGroup = new ArrayList<>();
        seals.forEach((e, row) -> {
            for (int i = 0; i < groups.size(); i++) {
                if (SqlValues.sameRow(rowOfGroup.get(i), row)) {
                    groups.get(i).add(e);
                    return;
                }
            }
            groups.add(new ArrayList<>(List.of(e)));
            rowOfGroup.add(row);
        });
        groups.removeIf(g -> g.size() < 2);
        return groups.isEmpty() ? NONE : new Twins(groups.stream().map(List::copyOf).toList());
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** The other entries identical to {@code e} (empty if it has none). */
    public List<ChangeEntry> of(ChangeEntry e) {
        for (List<ChangeEntry> g : groups) {
            if (g.contains(e)) {
                return g.stream().filter(t -> !t.equals(e)).toList();
            }
        }
        return List.of();
    }

    /**
     * {@code v} with every twin of an entry it covers: the least vector at or after {@code v} that covers
     * each group of twins either whole or not at all.
     */
    public VersionVector close(VersionVector v) {
        VersionVector out = v;
        boolean grew = true;
        while (grew) {
            grew = false;
            for (List<ChangeEntry> g : groups) {
                VersionVector before = out;
                if (g.stream().anyMatch(t -> seen(before, t))) {
                    for (ChangeEntry t : g) {
                        if (!seen(out, t)) {
                            out = out.with(t.origin(), t.version());
                            grew = true;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** True if {@code later} was made on top of {@code earlier} or on top of a twin of it (or of its base's). */
    public boolean covers(ChangeEntry later, ChangeEntry earlier) {
        return Causality.covers(later, earlier) || later != earlier && !groups.isEmpty()
                && close(later.base()).dominates(earlier.vector());
    }

    private static boolean seen(VersionVector v, ChangeEntry t) {
        return v.get(t.origin()) >= t.version(); // a twin's vector is itself alone: its base is empty
    }
}
