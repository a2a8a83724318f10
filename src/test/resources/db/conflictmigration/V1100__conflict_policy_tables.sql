-- Test-only tables for the end-to-end conflict tests: one per policy, each with several columns.
CREATE TABLE t_timestamp (id INTEGER PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
CREATE TABLE t_local     (id INTEGER PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
CREATE TABLE t_remote    (id INTEGER PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
CREATE TABLE t_merge     (id INTEGER PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
CREATE TABLE t_manual    (id INTEGER PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0, note TEXT);
