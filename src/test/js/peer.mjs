// A js-libp2p peer that the Java interop tests script over stdin/stdout.
//
// Start:   node peer.mjs [--key <hex of a protobuf private key>] [--listen <multiaddr>[,<multiaddr>...]]...
//                        [--mdns <query interval ms>] [--agent <agent version>] [--dht <protocol id>]
//          --listen may be given more than once and each may hold several comma-separated addresses; without
//          it the peer listens on /ip4/127.0.0.1/tcp/0. TCP (Noise + yamux) is always there. QUIC
//          (@chainsafe/libp2p-quic, its own TLS and streams) is added only when a listen address is
//          /udp/<port>/quic-v1, e.g. --listen /ip4/127.0.0.1/tcp/0 --listen /ip4/127.0.0.1/udp/0/quic-v1;
//          so a peer started without one is TCP-only as before, and only a QUIC-listening peer dials QUIC.
// Input:   one JSON command a line: {"id": 7, "cmd": "ping", "peer": "12D3KooW..."}
// Output:  one JSON line per command: {"id": 7, "ok": true, ...result} or {"id": 7, "ok": false, "error": "..."},
//          and unsolicited events: {"event": "message" | "discovered" | "mdnsPeer" | "connected" | "disconnected", ...}.
// The first line is {"event": "ready", "peerId": ..., "addrs": [...]} with every listen address (tcp and
// quic-v1). libp2p's own logs go to stderr.
// Commands (each answers its fields next to "id" and "ok"):
//   dial {addr}            -> peer, millis, muxer, encryption, addr (/tcp/ or /udp/../quic-v1 address dialled;
//                             over QUIC muxer is "quic" and encryption "native")
//   connections {peer?}    -> connections: [{peer, addr, direction, muxer, encryption}] (all, or one peer's)
//   hangUp {peer}, peers, ping {peer} -> rtt, identify {peer}, serveEcho, echo {peer, streams, bytes},
//   subscribe {topic}, publish {topic, data, stamp}, topicPeers {topic}, mdns {on}, stop,
//   findPeer {peer} -> addrs (through the DHT; needs --dht), dhtPeers -> peers (the DHT's routing table)
// --dht runs @libp2p/kad-dht in server mode on that protocol id, keeping private (loopback) addresses.
import './polyfill.mjs'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { mdns } from '@libp2p/mdns'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO = '/p2psync/echo/1.0.0'
const STREAM_LIMIT = 1024

const args = parseArgs(process.argv.slice(2))
const listen = args.listen ?? ['/ip4/127.0.0.1/tcp/0']
const transports = [tcp()]
if (listen.some((a) => multiaddr(a).protoNames().includes('quic-v1'))) {
  // QUIC brings its own encryption and stream multiplexing. Its default allows the remote 256 open streams
  // at once; the echo protocol allows STREAM_LIMIT, so the QUIC limit is raised to match.
  // Imported only here, so a TCP-only peer does not load QUIC's native module at all.
  const { quic } = await import('@chainsafe/libp2p-quic')
  transports.push(quic({ maxConcurrentStreamLimit: STREAM_LIMIT }))
}
const services = {
  identify: identify({ agentVersion: args.agent ?? 'p2p-sync-interop-js/1.0.0' }),
  ping: ping(),
  pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false })
}
if (args.dht != null) {
  // Server mode so Java nodes put it in their tables; every address kept, as the tests run on 127.0.0.1
  // (the default mapper drops private addresses, meant for the public DHT).
  services.dht = kadDHT({ protocol: args.dht, clientMode: false, peerInfoMapper: passthroughMapper })
}
if (args.mdns != null) {
  // as a service (not in peerDiscovery) so the "mdns" command can switch it off and on again
  services.mdns = mdns({ interval: Number(args.mdns) })
}
const node = await createLibp2p({
  privateKey: args.key == null ? undefined : privateKeyFromProtobuf(Buffer.from(args.key, 'hex')),
  addresses: { listen },
  transports,
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // The tests and benchmarks dial the same local peer many times a second; the default limit of 5
  // inbound connections per second per host would turn some of those dials away.
  connectionManager: { inboundConnectionThreshold: 10_000 },
  // The monitor keeps pinging every connection (so Java's ping responder is exercised), but on a busy
  // test machine a ping can time out behind a bulk transfer; that must not abort the connection.
  connectionMonitor: { abortConnectionOnPingFailure: false },
  services
})

node.addEventListener('peer:discovery', (e) => {
  const addrs = e.detail.multiaddrs.map(String)
  emit({ event: 'discovered', peer: e.detail.id.toString(), addrs })
  // mDNS only finds peers; connecting is the application's choice, and here it is always yes.
  if (addrs.length > 0 && node.getConnections(e.detail.id).length === 0) {
    node.dial(e.detail.id).catch((err) => emit({ event: 'dialFailed', peer: e.detail.id.toString(), error: err.message }))
  }
})
// libp2p reports "peer:discovery" only for peers new to its peer store (a peer that dialled us first
// never shows up there), so mDNS finds are also reported straight from the service, every time.
node.services.mdns?.addEventListener('peer', (e) => {
  emit({ event: 'mdnsPeer', peer: e.detail.id.toString(), addrs: e.detail.multiaddrs.map(String) })
})
node.addEventListener('peer:connect', (e) => emit({ event: 'connected', peer: e.detail.toString() }))
node.addEventListener('peer:disconnect', (e) => emit({ event: 'disconnected', peer: e.detail.toString() }))
node.services.pubsub.addEventListener('message', (e) => {
  const m = e.detail
  emit({
    event: 'message',
    topic: m.topic,
    type: m.type,
    from: m.from?.toString(),
    seqno: m.sequenceNumber?.toString(),
    data: Buffer.from(m.data).toString('utf8'),
    receivedAt: epochMillis()
  })
})

const commands = {
  // Dials a multiaddr (with /p2p/ id): TCP + Noise + yamux, or QUIC for a quic-v1 address; answers the peer
  // id, how long it took, and the connection's muxer, encryption and remote address.
  async dial ({ addr }) {
    const start = performance.now()
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString(), millis: performance.now() - start, muxer: conn.multiplexer, encryption: conn.encryption, addr: conn.remoteAddr.toString() }
  },
  // The open connections (of one peer, if given), so a test can tell which transport a connection is on.
  async connections ({ peer }) {
    const conns = node.getConnections(peer == null ? undefined : peerIdFromString(peer))
    return {
      connections: conns.map((c) => ({
        peer: c.remotePeer.toString(),
        addr: c.remoteAddr.toString(),
        direction: c.direction,
        muxer: c.multiplexer,
        encryption: c.encryption
      }))
    }
  },
  async hangUp ({ peer }) {
    await node.hangUp(peerIdFromString(peer))
    return {}
  },
  async peers () {
    return { peers: node.getPeers().map(String) }
  },
  async ping ({ peer }) {
    return { rtt: await node.services.ping.ping(peerIdFromString(peer)) }
  },
  // Runs identify on the open connection and answers what the remote said about itself.
  async identify ({ peer }) {
    const conn = node.getConnections(peerIdFromString(peer))[0]
    if (conn == null) throw new Error(`not connected to ${peer}`)
    const r = await node.services.identify.identify(conn)
    return { agentVersion: r.agentVersion, protocolVersion: r.protocolVersion, protocols: r.protocols, listenAddrs: r.listenAddrs.map(String) }
  },
  async serveEcho () {
    await node.handle(ECHO, ({ stream }) => {
      stream.sink(stream.source).catch((err) => stream.abort(err))
    }, { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT })
    return {}
  },
  // Opens `streams` echo streams at once, sends `bytes` on each, half-closes and checks the echo.
  async echo ({ peer, streams = 1, bytes = 1024 }) {
    const id = peerIdFromString(peer)
    const start = performance.now()
    await Promise.all(Array.from({ length: streams }, (_, i) => echoOnce(id, i, bytes)))
    return { millis: performance.now() - start, bytes: streams * bytes }
  },
  async subscribe ({ topic }) {
    node.services.pubsub.subscribe(topic)
    return {}
  },
  // With stamp: true, "|<epoch ms>" is appended at the moment of publishing (latency benchmarks).
  async publish ({ topic, data, stamp = false }) {
    const text = stamp ? `${data}|${epochMillis()}` : data
    const r = await node.services.pubsub.publish(topic, Buffer.from(text, 'utf8'))
    return { recipients: r.recipients.map(String) }
  },
  async topicPeers ({ topic }) {
    return { peers: node.services.pubsub.getSubscribers(topic).map(String), mesh: node.services.pubsub.getMeshPeers(topic) }
  },
  async mdns ({ on }) {
    const service = node.services.mdns
    if (service == null) throw new Error('started without --mdns')
    await (on ? service.start() : service.stop())
    return { on: service.isStarted() }
  },
  // Finds a peer's addresses through the DHT (libp2p's peer routing), without dialling it.
  async findPeer ({ peer }) {
    if (node.services.dht == null) throw new Error('started without --dht')
    const found = await node.peerRouting.findPeer(peerIdFromString(peer), { signal: AbortSignal.timeout(20_000) })
    return { peer: found.id.toString(), addrs: found.multiaddrs.map(String) }
  },
  async dhtPeers () {
    if (node.services.dht == null) throw new Error('started without --dht')
    const peers = []
    for (const bucket of node.services.dht.routingTable.kb?.toIterable?.() ?? []) peers.push(bucket.peerId.toString())
    return { peers }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

async function echoOnce (peerId, index, bytes) {
  const stream = await node.dialProtocol(peerId, ECHO, { maxOutboundStreams: STREAM_LIMIT })
  const payload = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) payload[i] = (i * 31 + index) & 0xff
  const CHUNK = 16 * 1024
  const received = []
  let length = 0
  await Promise.all([
    stream.sink((async function * () {
      for (let off = 0; off < bytes; off += CHUNK) yield payload.subarray(off, Math.min(bytes, off + CHUNK))
    })()),
    (async () => {
      for await (const chunk of stream.source) {
        const part = chunk.subarray()
        received.push(part)
        length += part.length
      }
    })()
  ])
  const echoed = Buffer.concat(received, length)
  if (!echoed.equals(Buffer.from(payload))) {
    throw new Error(`stream ${index}: echo differs (sent ${bytes} bytes, got ${length})`)
  }
}

function parseArgs (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`bad argument ${argv[i]}`)
    const name = argv[i].slice(2)
    if (name === 'listen') {
      // repeatable, and each may hold several comma-separated addresses
      if (argv[i + 1] == null) throw new Error('--listen needs a multiaddr')
      out.listen = [...(out.listen ?? []), ...argv[i + 1].split(',').map((a) => a.trim()).filter((a) => a !== '')]
    } else {
      out[name] = argv[i + 1]
    }
  }
  return out
}

/** Wall-clock time in milliseconds with sub-millisecond precision, comparable with the JVM's Instant.now(). */
function epochMillis () {
  return performance.timeOrigin + performance.now()
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
// The test closed our stdin (or died): stop cleanly so no port stays bound.
lines.on('close', () => { node.stop().finally(() => process.exit(0)) })
