/**
 * The admin endpoint of capture: {@code POST /sync/rescan} runs the reconciliation scan now. Depends on
 * {@code changes} only; guarded by the admin filter of {@code devices}.
 */
package io.p2psync.changes.web;
