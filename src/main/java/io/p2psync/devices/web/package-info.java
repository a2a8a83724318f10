/**
 * The admin API for devices: list them, add and authorize one, authorize, revoke or forget one. Guarded by
 * the admin filter of the devices feature (loopback or bearer token).
 */
package io.p2psync.devices.web;
