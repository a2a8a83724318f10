package io.p2psync.changes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where the entries of a page to send may end (docs/storage.md, "Group signatures"). */
public final class PageEnds {

    private static final Logger logger = LoggerFactory.getLogger(PageEnds.class);

    private PageEnds() {
    }

    /**
     * A page to send, cut so that each origin's entries in it end where a receiver can check them: at an entry
     * whose group continues (the receiver keeps it until the group's end comes) or at a group end whose
     * signature verifies. A receiver checks one signature per origin and delivery, the last group end's, and
     * takes the earlier group ends in between on the strength of the chain; so a relayed entry whose own
     * signature was damaged on the way here is never made the last of a page, where it would be refused.
     * Costs one signature check per origin in the page.
     */
    public static List<ChangeEntry> verifiable(List<ChangeEntry> page) {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < page.size(); i++) {
            last.put(page.get(i).origin(), i);
        }
        Set<Integer> cut = new HashSet<>();
        for (int end : last.values()) {
            int i = end;
            // the origin's entries in the page are in version order; step back over group ends that fail
            while (i >= 0 && !page.get(i).continues() && !page.get(i).signatureValid()) {
                logger.warn("not sending {}#{} or anything after it: its stored signature does not verify",
                        page.get(i).origin(), page.get(i).version());
                cut.add(i);
                i = previousOfOrigin(page, i);
            }
            if (i >= 0 && !cut.isEmpty()) {
                for (int j = i + 1; j <= end; j++) {
                    if (page.get(j).origin().equals(page.get(i).origin())) {
                        cut.add(j);
                    }
                }
            }
        }
        if (cut.isEmpty()) {
            return page;
        }
        List<ChangeEntry> kept = new ArrayList<>(page.size() - cut.size());
        for (int i = 0; i < page.size(); i++) {
            if (!cut.contains(i)) {
                kept.add(page.get(i));
            }
        }
        return kept;
    }

    private static int previousOfOrigin(List<ChangeEntry> page, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (page.get(j).origin().equals(page.get(i).origin())) {
                return j;
            }
        }
        return -1;
    }
}
