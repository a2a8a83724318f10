/**
 * The dashboard's conflicts pages: pending conflicts first, both sides of one column by column with the
 * differing columns marked, settled through {@code conflict}'s resolver (a side, the later one, a row written
 * by hand) or ignored.
 */
package io.p2psync.dashboard.conflicts;
