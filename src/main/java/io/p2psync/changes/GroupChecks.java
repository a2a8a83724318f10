package io.p2psync.changes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Hash, chain and group-signature checks of a received batch, made before its write transaction: they need
 * no database, so they use both cores and keep the SQLite write lock short (docs/storage.md, "Group
 * signatures").
 *
 * <p>Only the entry that ends a group is signed, and each entry's hash covers the previous entry's hash, so the
 * signature on a group's last entry vouches for every entry of the group. Per origin, the batch's run is cut
 * at the first entry whose hash is wrong or that does not chain to the one before it (the applier refuses
 * that entry and the rest of the origin), and within what is left the signature of every group end is
 * checked, once per group (an app transaction), in parallel when there are many. Every entry up to the last
 * group end before the first bad one is {@link Verdict#SIGNED_FOR}; the bad one's group is {@link
 * Verdict#BAD_SIGNATURE}; entries after the last group end (a group this batch does not finish) {@link
 * Verdict#WAITS_FOR_END}.
 *
 * <p>Why every group end and not just the last of a run, though the chain would make the last one vouch for
 * all: the earlier group ends are stored with the signature they came with, and a device that relays them
 * later may end a page on one of them. A damaged signature taken in on the strength of a later one would be
 * refused there, by every device it is relayed to, for good.
 *
 * <p>The applier still checks each run's first entry against the origin's head in the log; the verdicts
 * assume that link holds, and an entry is only stored once it does.
 */
final class GroupChecks {

    /** What the checks say of one entry. */
    enum Verdict {
        /** Its hash holds and a verified group signature covers it: it may be stored. */
        SIGNED_FOR,
        /** Its hash and chain hold but no group end in the batch covers it: it waits for its group's end. */
        WAITS_FOR_END,
        /** The signature of the group it belongs to does not verify. */
        BAD_SIGNATURE,
        /** At or after the first entry of its origin whose hash, version or chain fails: the applier says why. */
        FAILED_BEFORE_SIGNATURE
    }

    /** Below this many entries the fork-join hand-off costs more than it saves. */
    private static final int PARALLEL_FROM = 32;
    /** A signature check costs as much as a hundred hashes: worth the hand-off from a few on. */
    private static final int SIGNATURES_PARALLEL_FROM = 4;

    private final boolean[] hashOk;
    private final Verdict[] verdicts;
    /** For a {@link Verdict#BAD_SIGNATURE}: the version of the group end whose signature failed. */
    private final long[] badEnd;

    private GroupChecks(int n) {
        hashOk = new boolean[n];
        verdicts = new Verdict[n];
        badEnd = new long[n];
    }

    /** Checks {@code entries} (per-origin version order; origins may interleave). */
    static GroupChecks of(List<ChangeEntry> entries) {
        GroupChecks checks = new GroupChecks(entries.size());
        IntStream range = IntStream.range(0, entries.size());
        (entries.size() >= PARALLEL_FROM ? range.parallel() : range)
                .forEach(i -> checks.hashOk[i] = entries.get(i).hashValid());
        Map<String, List<Integer>> runs = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            runs.computeIfAbsent(entries.get(i).origin(), o -> new ArrayList<>()).add(i);
        }
        runs.values().forEach(run -> checks.checkRun(entries, run));
        return checks;
    }

    boolean hashOk(int index) {
        return hashOk[index];
    }

    Verdict verdict(int index) {
        return verdicts[index];
    }

    /** For a {@link Verdict#BAD_SIGNATURE}, the version of the group end whose signature does not verify. */
    long badGroupEnd(int index) {
        return badEnd[index];
    }

    private void checkRun(List<ChangeEntry> entries, List<Integer> run) {
        int intact = 0; // entries of the run, from its start, with a valid hash, each chained to the one before
        while (intact < run.size() && links(entries, run, intact)) {
            intact++;
        }
        for (int k = intact; k < run.size(); k++) {
            verdicts[run.get(k)] = Verdict.FAILED_BEFORE_SIGNATURE;
        }
        List<Integer> ends = new ArrayList<>(); // positions in the run of the entries that end a group
        for (int k = 0; k < intact; k++) {
            if (!entries.get(run.get(k)).continues()) {
                ends.add(k);
            }
        }
        boolean[] valid = new boolean[ends.size()];
        IntStream each = IntStream.range(0, ends.size());
        (ends.size() >= SIGNATURES_PARALLEL_FROM ? each.parallel() : each)
                .forEach(j -> valid[j] = entries.get(run.get(ends.get(j))).signatureValid());
        int firstBad = 0;
        while (firstBad < ends.size() && valid[firstBad]) {
            firstBad++;
        }
        int signedUpTo = firstBad == 0 ? -1 : ends.get(firstBad - 1); // the last position a valid group end covers
        if (firstBad < ends.size()) {
            long version = entries.get(run.get(ends.get(firstBad))).version();
            for (int k = signedUpTo + 1; k < intact; k++) {
                verdicts[run.get(k)] = Verdict.BAD_SIGNATURE;
                badEnd[run.get(k)] = version;
            }
            intact = signedUpTo + 1; // nothing after the bad group waits: the origin stops there
        }
        for (int k = 0; k < intact; k++) {
            verdicts[run.get(k)] = k <= signedUpTo ? Verdict.SIGNED_FOR : Verdict.WAITS_FOR_END;
        }
    }

    /** True if the entry at position {@code k} of the run has a valid hash and chains to the one before it. */
    private boolean links(List<ChangeEntry> entries, List<Integer> run, int k) {
        ChangeEntry e = entries.get(run.get(k));
        if (!hashOk[run.get(k)]) {
            return false;
        }
        if (k == 0) {
            return true; // its link to the log's head is the applier's to check
        }
        ChangeEntry before = entries.get(run.get(k - 1));
        return e.version() == before.version() + 1 && Objects.equals(e.prevHash(), before.hash());
    }
}
