/**
 * The web dashboard a person drives the node with, served by the node itself at {@code /} and under
 * {@code /dashboard/}: server-side Thymeleaf pages with a little plain JavaScript, nothing fetched from
 * elsewhere. This device (id, QR code, addresses, version vector), devices to approve, reject, revoke or add,
 * peers with the running round's progress and "sync now", conflicts side by side, the tracked tables and a
 * live activity feed. The same admin rule as the REST API (loopback, or the admin token, here given once in a
 * login form that sets a signed HttpOnly SameSite=Strict cookie) and a CSRF token on every form. Controllers
 * are thin: they call the services of {@code devices}, {@code peers}, {@code conflict}, {@code changes},
 * {@code status} and {@code storage}; nothing depends on this package.
 */
package io.p2psync.dashboard;
