// A js-libp2p peer with circuit relay v2 (@libp2p/circuit-relay-v2) that the Java relay interop tests script over
// stdin/stdout, in the same line protocol as peer.mjs.
//
// Start:   node relay-peer.mjs [--key <hex of a protobuf private key>] [--listen <multiaddr>[,<multiaddr>...]]
//                              [--relay true] [--dcutr true] [--autonat true]
//                              [--append-announce <multiaddr>[,<multiaddr>...]]
//          TCP (Noise + yamux), identify, ping and the circuit relay transport (dials /p2p-circuit addresses,
//          accepts circuits over the stop protocol) are always there. A listen address ending in /p2p-circuit
//          (e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…/p2p-circuit) reserves a slot on that relay. --relay true
//          also serves the hop protocol, as a relay for anyone, without default limits on circuits. --dcutr true
//          runs @libp2p/dcutr: relayed connections are upgraded to direct ones (js dials public addresses only).
//          --autonat true runs @libp2p/autonat (v1): it asks peers that serve it to dial back its public listen
//          addresses, announcing one once confirmed, and dials back peers that ask.
//          --append-announce names addresses to announce as verified: libp2p 2.x announces a listen address on a
//          public IP only once AutoNAT confirmed it, which a test network without AutoNAT never does.
// Input:   one JSON command a line: {"id": 7, "cmd": "dial", "addr": "..."}
// Output:  {"id": 7, "ok": true, ...result} or {"id": 7, "ok": false, "error": "..."}; first {"event": "ready", ...}.
// Commands: dial {addr} -> peer, addr, limited; connections {peer?} -> connections: [{peer, addr, direction, limited}];
//           addrs -> addrs (announced, circuit ones included); reservations -> peers holding a slot here (relay);
//           serveEcho; echo {peer, bytes} -> bytes; stop
import './polyfill.mjs'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { autoNAT } from '@libp2p/autonat'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO = '/p2psync/echo/1.0.0'

const args = {}
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i += 2) {
  if (!argv[i].startsWith('--')) throw new Error(`bad argument ${argv[i]}`)
  args[argv[i].slice(2)] = argv[i + 1]
}
const listen = (args.listen ?? '/ip4/127.0.0.1/tcp/0').split(',').map((a) => a.trim()).filter((a) => a !== '')
const services = {
  identify: identify({ agentVersion: 'p2p-sync-interop-js-relay/1.0.0' }),
  ping: ping()
}
if (args.relay === 'true') {
  // a relay for the tests: circuits carry whole sync rounds, so no default limit of 2 minutes and 128 KiB
  services.relay = circuitRelayServer({ reservations: { maxReservations: 32, applyDefaultLimit: false } })
}
if (args.dcutr === 'true') {
  services.dcutr = dcutr()
}
if (args.autonat === 'true') {
  services.autonat = autoNAT()
}
const node = await createLibp2p({
  privateKey: args.key == null ? undefined : privateKeyFromProtobuf(Buffer.from(args.key, 'hex')),
  addresses: {
    listen,
    appendAnnounce: (args['append-announce'] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '')
  },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { inboundConnectionThreshold: 10_000 },
  connectionMonitor: { abortConnectionOnPingFailure: false },
  services
})

const commands = {
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString(), addr: conn.remoteAddr.toString(), limited: conn.limits != null }
  },
  async connections ({ peer }) {
    const conns = node.getConnections(peer == null ? undefined : peerIdFromString(peer))
    return {
      connections: conns.map((c) => ({
        peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction, limited: c.limits != null
      }))
    }
  },
  async addrs () {
    return { addrs: node.getMultiaddrs().map(String) }
  },
  async reservations () {
    const relay = node.services.relay
    if (relay == null) throw new Error('started without --relay true')
    return { peers: [...relay.reservations.keys()].map(String) }
  },
  async serveEcho () {
    // relayed connections count as limited when the relay states limits; the echo runs on them too
    await node.handle(ECHO, ({ stream }) => {
      stream.sink(stream.source).catch((err) => stream.abort(err))
    }, { runOnLimitedConnection: true })
    return {}
  },
  async echo ({ peer, bytes = 1024 }) {
    const stream = await node.dialProtocol(peerIdFromString(peer), ECHO, { runOnLimitedConnection: true })
    const payload = new Uint8Array(bytes)
    for (let i = 0; i < bytes; i++) payload[i] = (i * 31) & 0xff
    const received = []
    let length = 0
    await Promise.all([
      stream.sink((async function * () {
        for (let off = 0; off < bytes; off += 16384) yield payload.subarray(off, Math.min(bytes, off + 16384))
      })()),
      (async () => {
        for await (const chunk of stream.source) {
          const part = chunk.subarray()
          received.push(part)
          length += part.length
        }
      })()
    ])
    if (!Buffer.concat(received, length).equals(Buffer.from(payload))) {
      throw new Error(`echo differs (sent ${bytes} bytes, got ${length})`)
    }
    return { bytes: length }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

await node.start()
emit({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch (err) {
    emit({ event: 'badCommand', line, error: err.message })
    return
  }
  const fn = commands[msg.cmd]
  if (fn == null) {
    emit({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` })
    return
  }
  fn(msg).then(
    (result) => emit({ id: msg.id, ok: true, ...result }),
    (err) => emit({ id: msg.id, ok: false, error: String(err?.message ?? err) })
  )
})
lines.on('close', () => { node.stop().finally(() => process.exit(0)) })
