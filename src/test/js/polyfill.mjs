// Promise.withResolvers arrived in Node 22; a transitive dependency of libp2p calls it, and the
// tests run on Node 20. Imported first by peer.mjs so it is in place before any libp2p module loads.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
