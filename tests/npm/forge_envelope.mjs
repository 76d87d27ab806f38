// Builds a format-1 envelope (docs/FORMAT.md) with nothing of ours: the
// manifest is canonicalised here (RFC 8785 for ASCII-only values, which is
// sorted keys and JSON.stringify), the DID is SHA3-256 of the public key, and
// the ML-DSA-65 signature (context "pqc-bpf/v1") comes from
// @noble/post-quantum. The declared type is whatever the caller says, so a
// test can show that the gate does not rely on our signer's honesty
// (issue 11.1): it judges the programs it reads from the object.
//
// Usage: node forge_envelope.mjs OBJECT DECLARED_TYPE ENVELOPE_OUT
// Prints the signer's DID. The key comes from a fixed seed (deterministic).
import { readFileSync, writeFileSync } from 'node:fs';

let ml_dsa65;
let sha3_256;
try {
  ({ ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js'));
  ({ sha3_256 } = await import('@noble/hashes/sha3.js'));
} catch (e) {
  console.error(`cannot load @noble/post-quantum (${e.code ?? e.message}); run \`npm ci --prefix tests/npm\``);
  process.exit(77);
}

const [objectPath, declaredType, outPath] = process.argv.slice(2);
if (!objectPath || !declaredType || !outPath) {
  console.error('usage: node forge_envelope.mjs OBJECT DECLARED_TYPE ENVELOPE_OUT');
  process.exit(2);
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
// RFC 8785 for the values used here (ASCII strings, small integers): keys
// sorted at every level, no whitespace.
const canonical = (value) => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

const object = readFileSync(objectPath);
const keys = ml_dsa65.keygen(new Uint8Array(32).fill(0x4e));
const did = `did:pqaid:${hex(sha3_256(keys.publicKey))}`;
const manifest = {
  format: 'pqc-bpf-manifest/1',
  algorithm: 'ML-DSA-65',
  metadata: {
    name: 'firewall', program_type: declaredType, attach_point: '', author: 'independent',
    description: 'made without pqc-bpf', version: '1', license: 'GPL', kernel_min: '',
  },
  sha3_256: hex(sha3_256(object)),
  size: object.length,
  signer: did,
  signed_at: '2026-12-01T00:00:00Z',
};
const message = new TextEncoder().encode(canonical(manifest));
const signature = ml_dsa65.sign(message, keys.secretKey, {
  context: new TextEncoder().encode('pqc-bpf/v1'), extraEntropy: false,
});
writeFileSync(outPath, JSON.stringify({
  manifest,
  public_key: Buffer.from(keys.publicKey).toString('base64'),
  signature: Buffer.from(signature).toString('base64'),
}, null, 2) + '\n');
console.log(did);
