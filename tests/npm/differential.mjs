// Differential test: pqbpf's ML-DSA (driven through mldsa_differential_tool)
// against @noble/post-quantum, an independent FIPS 204 implementation.
//
// For each parameter set and each of N random (seed, message, context) triples:
// identical key pairs; identical deterministic signatures; identical signatures
// for the same explicit signing randomness; hedged signatures from each side
// verified by the other; a mutated message, context and signature rejected by
// both; and the external-mu entry points (mu computed here with noble's SHAKE256
// must equal ours, sign_mu must equal noble's signature for the same rnd). The PRNG seed is fixed (override: PQBPF_DIFF_SEED) and printed, so any
// failure reproduces.
//
// Usage: node tests/npm/differential.mjs <path-to-mldsa_differential_tool> [cases-per-set]
// Needs node_modules: run `npm ci --prefix tests/npm` first.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const INSTALL_HINT = 'run `npm ci --prefix tests/npm` (from the repository root) first';

let noble;
let shake256;
try {
  noble = await import('@noble/post-quantum/ml-dsa.js');
  ({ shake256 } = await import('@noble/hashes/sha3.js'));
} catch (e) {
  console.error(`FAIL: cannot load @noble/post-quantum (${e.code ?? e.message}); ${INSTALL_HINT}`);
  process.exit(1);
}

const toolPath = process.argv[2];
if (!toolPath) {
  console.error('usage: node differential.mjs <path-to-mldsa_differential_tool> [cases-per-set]');
  process.exit(2);
}
const CASES = Number(process.argv[3] ?? process.env.PQBPF_DIFF_CASES ?? 200);
const SEED = Number(process.env.PQBPF_DIFF_SEED ?? 0x6d6c6473);

// xoshiro128** (Blackman and Vigna): small, seedable, good enough for test data.
function makeRng(seed) {
  let s = [seed >>> 0, 0x9e3779b9, 0x243f6a88, 0xb7e15162];
  const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const next = () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    s = s.map((v) => v >>> 0);
    return result;
  };
  for (let i = 0; i < 16; i++) next();
  return {
    u32: next,
    below: (n) => next() % n,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

const hex = (b) => (b.length === 0 ? '-' : Buffer.from(b).toString('hex'));
const unhex = (h) => new Uint8Array(Buffer.from(h, 'hex'));
const concat = (...parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));

// FIPS 204 Algorithm 7 line 6 with Algorithm 2's M': mu = H(H(pk, 64) || 0 || |ctx| || ctx || M, 64).
function externalMu(pk, msg, ctx) {
  const tr = shake256(pk, { dkLen: 64 });
  return shake256(concat(tr, Uint8Array.of(0, ctx.length), ctx, msg), { dkLen: 64 });
}

// The C++ side: one long-lived process, one request line in, one line out.
class Tool {
  constructor(path) {
    this.proc = spawn(path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.waiting = [];
    this.exited = null;
    this.proc.on('error', (e) => this.fail(`cannot start ${path}: ${e.message}`));
    this.proc.on('exit', (code, sig) => this.fail(`tool exited (code ${code}, signal ${sig})`));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w.resolve(line);
    });
  }
  fail(msg) {
    this.exited = msg;
    for (const w of this.waiting.splice(0)) w.reject(new Error(msg));
  }
  request(...words) {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(words.join(' ') + '\n');
    });
  }
  async ok(...words) {
    const line = await this.request(...words);
    if (!line.startsWith('ok ')) throw new Error(`tool refused '${words[0]}': ${line}`);
    return line.slice(3).split(' ');
  }
  close() {
    this.proc.removeAllListeners('exit');
    this.proc.stdin.end('quit\n');
  }
}

let passed = 0;
let failed = 0;
const failures = [];
function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    if (failures.length < 20) failures.push(what);
  }
}

// Flips one random bit of a copy of `b`.
function flipBit(rng, b) {
  const out = Uint8Array.from(b);
  out[rng.below(out.length)] ^= 1 << rng.below(8);
  return out;
}

// Random lengths biased towards the edges: empty, short, long.
function messageLength(rng) {
  const r = rng.below(10);
  if (r === 0) return 0;
  if (r < 7) return rng.below(300);
  return rng.below(5000);
}
function contextLength(rng) {
  const r = rng.below(8);
  if (r === 0) return 0;
  if (r === 1) return 255;
  return rng.below(256);
}

async function runSet(tool, rng, name, dsa) {
  for (let i = 0; i < CASES; i++) {
    const where = `${name} case ${i} (PQBPF_DIFF_SEED=${SEED})`;
    const seed = rng.bytes(32);
    const msg = rng.bytes(messageLength(rng));
    const ctx = rng.bytes(contextLength(rng));
    const rnd = rng.bytes(32);

    // Requests go to the tool in batches and noble works while the tool does,
    // so the two implementations run in parallel (responses come back in
    // request order). Our signer gets noble's private key encoding; the two
    // encodings are compared first, so a difference cannot hide.
    const keys = dsa.keygen(seed);
    const pk = keys.publicKey;
    const sk = keys.secretKey;
    const skHex = hex(sk);
    const mu = externalMu(pk, msg, ctx);
    const ours = Promise.all([
      tool.ok('keygen', name, hex(seed)),
      tool.ok('sign', name, skHex, hex(msg), hex(ctx), 'det'),
      tool.ok('sign_rnd', name, skHex, hex(msg), hex(ctx), hex(rnd)),
      tool.ok('sign', name, skHex, hex(msg), hex(ctx), 'hedged'),
      tool.ok('mu', name, hex(pk), hex(msg), hex(ctx)),
      tool.ok('sign_mu', name, skHex, hex(mu), hex(rnd)),
    ]);
    const nobleDet = dsa.sign(msg, sk, { context: ctx, extraEntropy: false });
    const nobleRnd = dsa.sign(msg, sk, { context: ctx, extraEntropy: rnd });
    const nobleHedged = dsa.sign(msg, sk, { context: ctx });
    const [[pkHex, ourSkHex], [detHex], [rndHex], [hedgedHex], [muHex], [muSigHex]] = await ours;

    // Key generation from the same seed.
    check(pkHex === hex(pk), `${where}: public keys differ`);
    check(ourSkHex === skHex, `${where}: private keys differ`);
    // Deterministic signatures must be byte-identical.
    check(detHex === hex(nobleDet), `${where}: deterministic signatures differ`);
    // Same explicit randomness, same signature (covers M' formatting and rnd use).
    check(rndHex === hex(nobleRnd), `${where}: signatures with the same rnd differ`);
    // Hedged signatures: each side's verifies on the other side.
    check(hedgedHex !== detHex, `${where}: our hedged signature equals the deterministic one`);
    // External mu: the same mu, and signing mu with rnd gives the same signature.
    check(muHex === hex(mu), `${where}: external mu differs`);
    check(muSigHex === hex(nobleRnd), `${where}: sign_mu differs from noble's signature`);

    // Mutations: message, context, signature. Both sides must reject.
    const badMsg = msg.length > 0 ? flipBit(rng, msg) : Uint8Array.of(rng.below(256));
    const badCtx = ctx.length > 0 ? flipBit(rng, ctx) : Uint8Array.of(rng.below(256));
    const badSig = flipBit(rng, nobleDet);
    const mutations = [
      ['message', badMsg, ctx, nobleDet],
      ['context', msg, badCtx, nobleDet],
      ['signature', msg, ctx, badSig],
    ];
    const verdicts = Promise.all([
      tool.ok('verify', name, hex(pk), hex(msg), hex(ctx), hex(nobleHedged)),
      ...mutations.map(([, m, c, sig]) => tool.ok('verify', name, hex(pk), hex(m), hex(c), hex(sig))),
      tool.ok('verify_mu', name, hex(pk), hex(mu), hex(nobleHedged)),
      tool.ok('verify_mu', name, hex(pk), hex(flipBit(rng, mu)), hex(nobleDet)),
      tool.ok('verify_mu', name, hex(pk), hex(mu), hex(badSig)),
    ]);
    check(dsa.verify(unhex(hedgedHex), msg, pk, { context: ctx }),
      `${where}: noble rejects our hedged signature`);
    for (const [what, m, c, sig] of mutations) {
      check(!dsa.verify(sig, m, pk, { context: c }), `${where}: noble accepts a mutated ${what}`);
    }
    const [[v1], ...rest] = await verdicts;
    check(v1 === 'valid', `${where}: we reject noble's hedged signature`);
    mutations.forEach(([what], k) => {
      check(rest[k][0] === 'invalid', `${where}: we accept a mutated ${what}`);
    });
    const [[muValid], [muBadMu], [muBadSig]] = rest.slice(mutations.length);
    check(muValid === 'valid', `${where}: verify_mu rejects noble's hedged signature`);
    check(muBadMu === 'invalid', `${where}: verify_mu accepts a mutated mu`);
    check(muBadSig === 'invalid', `${where}: verify_mu accepts a mutated signature`);
  }

  // Contexts longer than 255 bytes are refused by both (FIPS 204 Algorithm 2, line 1).
  const keys = dsa.keygen(rng.bytes(32));
  const longCtx = rng.bytes(256);
  const ours = await tool.request('sign', name, hex(keys.secretKey), '-', hex(longCtx), 'det');
  check(ours.startsWith('err '), `${name}: we sign with a 256-byte context`);
  let nobleRefused = false;
  try {
    dsa.sign(new Uint8Array(0), keys.secretKey, { context: longCtx, extraEntropy: false });
  } catch {
    nobleRefused = true;
  }
  check(nobleRefused, `${name}: noble signs with a 256-byte context`);
}

const sets = [
  ['ML-DSA-44', noble.ml_dsa44],
  ['ML-DSA-65', noble.ml_dsa65],
  ['ML-DSA-87', noble.ml_dsa87],
];
console.log(`ML-DSA differential vs @noble/post-quantum: ${CASES} cases per set, PQBPF_DIFF_SEED=${SEED}`);
const tool = new Tool(toolPath);
const rng = makeRng(SEED);
const started = Date.now();
let crashed = null;
try {
  for (const [name, dsa] of sets) {
    const before = passed + failed;
    await runSet(tool, rng, name, dsa);
    console.log(`${name}: ${passed + failed - before} checks`);
  }
} catch (e) {
  crashed = e.message;
} finally {
  tool.close();
}
const expected = sets.length * (CASES * 18 + 2);
for (const f of failures) console.log(`FAIL ${f}`);
if (crashed) {
  console.log(`FAIL aborted: ${crashed}`);
  failed++;
}
if (passed + failed !== expected && !crashed) {
  console.log(`FAIL ran ${passed + failed} checks, expected ${expected}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed === 0 ? 0 : 1);
