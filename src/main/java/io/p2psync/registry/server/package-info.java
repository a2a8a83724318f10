/**
 * The registry server: a presence service any node can run ({@code p2psync.registry.server.enabled=true}). Networks
 * of devices sharing a bearer token, signed announcements of where a device can be reached, coordinators'
 * heartbeats, and lookups, kept in a database of its own: an SQLite file in the data directory by default,
 * PostgreSQL when its datasource url says so, migrated by its own Flyway instance from {@code db/registry}. Several
 * instances may share one PostgreSQL database: everything, rate counters included, lives there. Depends on
 * {@code registry} (the wire records and signatures), {@code devices} (the admin rule) and {@code storage}.
 */
package io.p2psync.registry.server;
