// Installs the pinned js-libp2p packages with `npm ci`, unless node_modules already holds exactly what
// package-lock.json says (a stamp with the lock file's SHA-256 is written after a successful install).
// Run by the Maven build before the integration tests: `node install.mjs` in src/test/js.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const STAMP = 'node_modules/.p2psync-installed'
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex')

if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === lockHash) {
  console.log('js-libp2p packages are up to date')
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', shell: process.platform === 'win32' })
  writeFileSync(STAMP, lockHash + '\n')
}
