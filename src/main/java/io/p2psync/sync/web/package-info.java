/**
 * The HTTP side of REST sync: {@code POST /sync/pull} and {@code /sync/push} (signed device calls), gzip in
 * both directions, body limits and problem bodies. The admin's {@code POST /sync/now} runs rounds through the
 * per-peer scheduler and so lives in {@code peers.web}.
 */
package io.p2psync.sync.web;
