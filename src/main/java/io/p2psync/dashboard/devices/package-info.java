/**
 * The dashboard's pages about devices: this device (name, id with a copy button and a QR code, REST and libp2p
 * addresses, version vector) and the devices it pairs with (approve or reject the pending ones, revoke, add by
 * id and url). Thin controllers over {@code status} and {@code devices}.
 */
package io.p2psync.dashboard.devices;
