/**
 * The HTTP side of REST sync: {@code POST /sync/pull}, {@code /sync/push} (signed device calls) and
 * {@code /sync/now} (admin trigger), gzip in both directions, body limits and problem bodies.
 */
package io.p2psync.sync.web;
