/**
 * The dashboard's live activity feed: changes captured here, entries received from peers and those of them
 * held, conflicts, rounds with peers and device changes, gathered from the application events of
 * {@code changes}, {@code peers} and {@code devices} and sent to each open activity page as server-sent
 * events. Bounded everywhere: the events kept, the events waiting to be sent, the pages following.
 */
package io.p2psync.dashboard.activity;
