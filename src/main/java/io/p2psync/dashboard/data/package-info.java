/**
 * The dashboard's data page: the tracked tables, the key-value store among them, read a page at a time and
 * searched, and how a stored value reads for people ({@link io.p2psync.dashboard.data.SqlValueText}, also used
 * by the conflicts page). Read-only; depends on {@code changes} (which tables are tracked) and the dashboard.
 */
package io.p2psync.dashboard.data;
