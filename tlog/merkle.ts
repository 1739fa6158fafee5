import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1) over the ledger's entries:
 * leaves hashed as SHA-256(0x00 ‖ data), interior nodes as SHA-256(0x01 ‖ left ‖ right), a tree
 * of n leaves split at the largest power of two below n. Proofs let anyone check that one entry
 * is in a tree of a given root (inclusion) and that a later tree extends an earlier one
 * (consistency) without trusting whoever keeps the log. Sizes are JavaScript numbers, so no
 * bitwise operators (32-bit) appear below: halving and parity are arithmetic.
 */
export type Hash = Buffer;

const sha256 = (...parts: Buffer[]): Hash => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const emptyRoot = (): Hash => sha256();
export const leafHash = (data: Buffer): Hash => sha256(LEAF, data);
export const nodeHash = (left: Hash, right: Hash): Hash => sha256(NODE, left, right);

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Roots of complete subtrees already computed, per leaves array (treated as immutable once given):
 * every range the tree's recursion meets splits into a complete, aligned left part and the rest,
 * so with these kept a root or a proof after the first costs O(log n) hashes, not O(n). Small
 * subtrees are recomputed rather than kept, to keep the memory at about n/8 entries.
 */
const completeRoots = new WeakMap<readonly Hash[], Map<string, Hash>>();
const KEEP_FROM = 16;

/** MTH over leaves[from, to): the root of that range's tree. */
export function rootOf(leaves: readonly Hash[], from = 0, to = leaves.length): Hash {
  const n = to - from;
  if (n === 0) return emptyRoot();
  if (n === 1) return leaves[from]!;
  const complete = n >= KEEP_FROM && Number.isInteger(Math.log2(n));
  const kept = complete ? completeRoots.get(leaves)?.get(`${from}+${n}`) : undefined;
  if (kept) return kept;
  const k = splitPoint(n);
  const root = nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to));
  if (complete) {
    let roots = completeRoots.get(leaves);
    if (!roots) completeRoots.set(leaves, (roots = new Map<string, Hash>()));
    roots.set(`${from}+${n}`, root);
  }
  return root;
}

/** PATH(m, D[n]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Hash[] {
  if (!Number.isInteger(index) || index < 0 || index >= size || size > leaves.length) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const path = (m: number, from: number, to: number): Hash[] => {
    const n = to - from;
    if (n <= 1) return [];
    const k = splitPoint(n);
    return m < k ? [...path(m, from, from + k), rootOf(leaves, from + k, to)] : [...path(m - k, from + k, to), rootOf(leaves, from, from + k)];
  };
  return path(index, 0, size);
}

/** PROOF(m, D[n]): that the tree of `size1` leaves is a prefix of the tree of `size2`. */
export function consistencyProof(leaves: readonly Hash[], size1: number, size2 = leaves.length): Hash[] {
  if (size1 < 0 || size1 > size2 || size2 > leaves.length) throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const subproof = (m: number, from: number, to: number, whole: boolean): Hash[] => {
    const n = to - from;
    if (m === n) return whole ? [] : [rootOf(leaves, from, to)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, from, from + k, whole), rootOf(leaves, from + k, to)]
      : [...subproof(m - k, from + k, to, false), rootOf(leaves, from, from + k)];
  };
  return subproof(size1, 0, size2, true);
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` with hash `leaf` in the tree of `size` leaves and root `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== 32 || root.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (`size2`, `root2`) extends the tree (`size1`, `root1`). */
export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  if (!Number.isInteger(size1) || !Number.isInteger(size2) || size1 < 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== 32) || root1.length !== 32 || root2.length !== 32) return false;
  let powerOfTwo = size1;
  while (powerOfTwo % 2 === 0) powerOfTwo /= 2;
  const path = powerOfTwo === 1 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}
