// Produces gossipsub wire vectors with js-libp2p-gossipsub's own code, for JsGossipsubVectorsTest.
// In an empty directory: npm install @chainsafe/libp2p-gossipsub@14.1.2 @libp2p/crypto @libp2p/peer-id uint8arrays
// then: node make-js-vectors.mjs [hex of a Message signed by MessageSigner, to have js validate it]
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { StrictSign } from '@libp2p/interface'
import { toString as hex, fromString } from 'uint8arrays'
import { RPC } from './node_modules/@chainsafe/libp2p-gossipsub/dist/src/message/rpc.js'
import { getPublishConfigFromPeerId } from './node_modules/@chainsafe/libp2p-gossipsub/dist/src/utils/publishConfig.js'
import { buildRawMessage, validateToRawMessage } from './node_modules/@chainsafe/libp2p-gossipsub/dist/src/utils/buildRawMessage.js'
import { msgIdFnStrictSign } from './node_modules/@chainsafe/libp2p-gossipsub/dist/src/utils/msgIdFn.js'

const seed = fromString('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'base16')
const key = await generateKeyPairFromSeed('Ed25519', seed)
const peerId = peerIdFromPrivateKey(key)
const config = getPublishConfigFromPeerId(StrictSign, peerId, key)
const data = fromString('{"Put":{"key":"x","value":"1"}}')
const { raw, msg } = await buildRawMessage(config, 'p2p-sync', data, data)
const encoded = RPC.Message.encode(raw)
console.log('seed=' + hex(seed, 'base16'))
console.log('peerId=' + peerId.toString())
console.log('topic=p2p-sync')
console.log('data=' + hex(data, 'base16'))
console.log('seqno=' + hex(raw.seqno, 'base16'))
console.log('signature=' + hex(raw.signature, 'base16'))
console.log('message=' + hex(encoded, 'base16'))
console.log('messageId=' + hex(msgIdFnStrictSign(msg), 'base16'))

// an RPC with every part, as js encodes it
const rpc = RPC.encode({
  subscriptions: [{ subscribe: true, topic: 'p2p-sync' }, { subscribe: false, topic: 'old' }],
  messages: [raw],
  control: {
    ihave: [{ topicID: 'p2p-sync', messageIDs: [msgIdFnStrictSign(msg)] }],
    iwant: [{ messageIDs: [msgIdFnStrictSign(msg)] }],
    graft: [{ topicID: 'p2p-sync' }],
    prune: [{ topicID: 'old', peers: [{ peerID: peerId.toMultihash().bytes }], backoff: 60 }],
    idontwant: []
  }
})
console.log('rpc=' + hex(rpc, 'base16'))

// does js accept a message the Java signer produced? (argv[2]: hex of a Message)
if (process.argv[2] != null) {
  const javaMsg = RPC.Message.decode(fromString(process.argv[2], 'base16'))
  const result = await validateToRawMessage(StrictSign, javaMsg)
  console.log('javaMessageValid=' + result.valid + (result.valid ? '' : ' ' + result.error))
  if (result.valid) console.log('javaMessageId=' + hex(msgIdFnStrictSign(result.message), 'base16'))
}
