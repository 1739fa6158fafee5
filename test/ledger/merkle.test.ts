import { consistencyProof, emptyRoot, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion, type Hash } from '../../tlog/merkle';

// Test vectors of transparency-dev/merkle (testonly/constants.go, proof/verify_test.go): data, not code.
const h = (hex: string): Hash => Buffer.from(hex, 'hex');
const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
const leaves = inputs.map(leafHash);
const roots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
/** { leaf (1-based), size, proof } */
const inclusionVectors: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const consistencyVectors: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];
const someHash = h('abacaba000000000000000000000000000000000000000000060061e00123456');
const flipped = (proof: Hash[], i: number, bit: number): Hash[] => proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bit : b))) : p));

describe("the ledger's Merkle tree against RFC 9162 test vectors", () => {
  it('has the root of every prefix of the reference leaves', () => {
    expect(emptyRoot()).toEqual(roots[0]);
    for (let size = 0; size <= 8; size++) expect(rootOf(leaves.slice(0, size)).toString('hex')).toBe(roots[size]!.toString('hex'));
  });

  it.each(inclusionVectors)('proves leaf %i in a tree of %i as the reference does, and no altered proof verifies', (leaf, size, hexProof) => {
    const proof = hexProof.map(h);
    const index = leaf - 1;
    const root = roots[size]!;
    expect(inclusionProof(leaves, index, size).map((p) => p.toString('hex'))).toEqual(hexProof);
    expect(verifyInclusion(index, size, leaves[index]!, proof, root)).toBe(true);
    const wrong: [string, number, number, Hash, Hash[], Hash][] = [
      ['index - 1', index - 1, size, leaves[index]!, proof, root],
      ['index + 1', index + 1, size, leaves[index]!, proof, root],
      ['size * 2', index, size * 2, leaves[index]!, proof, root],
      ['size / 2', index, Math.floor(size / 2), leaves[index]!, proof, root],
      ['wrong leaf', index, size, leafHash(Buffer.from('WrongLeaf')), proof, root],
      ['empty root', index, size, leaves[index]!, proof, emptyRoot()],
      ['random root', index, size, leaves[index]!, proof, someHash],
      ['trailing root', index, size, leaves[index]!, [...proof, root], root],
      ['preceding root', index, size, leaves[index]!, [root, ...proof], root],
      ['removed component', index, size, leaves[index]!, proof.slice(0, -1), root],
      ...proof.map(
        (_, i) => [`bit flipped in proof[${i}]`, index, size, leaves[index]!, flipped(proof, i, 8), root] as [string, number, number, Hash, Hash[], Hash],
      ),
    ];
    for (const [what, i, n, l, p, r] of wrong) expect([what, verifyInclusion(i, n, l, p, r)]).toEqual([what, false]);
  });

  it.each(consistencyVectors)(
    'proves the tree of %i a prefix of the tree of %i as the reference does, and no altered proof verifies',
    (size1, size2, hexProof) => {
      const proof = hexProof.map(h);
      const [root1, root2] = [roots[size1]!, roots[size2]!];
      expect(consistencyProof(leaves, size1, size2).map((p) => p.toString('hex'))).toEqual(hexProof);
      expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
      const wrong: [string, number, number, Hash[], Hash, Hash][] = [
        ['size1 - 1', size1 - 1, size2, proof, root1, root2],
        ['size1 + 1', size1 + 1, size2, proof, root1, root2],
        ['size2 * 2', size1, size2 * 2, proof, root1, root2],
        ['size2 / 2', size1, Math.floor(size2 / 2), proof, root1, root2],
        ['wrong root1', size1, size2, proof, someHash, root2],
        ['wrong root2', size1, size2, proof, root1, someHash],
        ['swapped roots', size1, size2, proof, root2, root1],
        ['empty proof', size1, size2, [], root1, root2],
        ['trailing root2', size1, size2, [...proof, root2], root1, root2],
        ['preceding root1', size1, size2, [root1, ...proof], root1, root2],
        ['truncated', size1, size2, proof.slice(0, -1), root1, root2],
        ...proof.map(
          (_, i) => [`bit flipped in proof[${i}]`, size1, size2, flipped(proof, i, 16), root1, root2] as [string, number, number, Hash[], Hash, Hash],
        ),
      ];
      for (const [what, s1, s2, p, r1, r2] of wrong) expect([what, verifyConsistency(s1, s2, p, r1, r2)]).toEqual([what, false]);
    },
  );

  it('verifies every proof it makes for trees of up to 40 leaves, and none against another root', () => {
    const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
    for (let size = 1; size <= many.length; size++) {
      const root = rootOf(many, 0, size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(many, index, size);
        expect(verifyInclusion(index, size, many[index]!, proof, root)).toBe(true);
        expect(verifyInclusion(index, size, many[index]!, proof, someHash)).toBe(false);
      }
      for (let size1 = 0; size1 <= size; size1++) {
        const proof = consistencyProof(many, size1, size);
        expect(verifyConsistency(size1, size, proof, rootOf(many, 0, size1), root)).toBe(true);
        if (size1 > 0 && size1 < size) expect(verifyConsistency(size1, size, proof, someHash, root)).toBe(false);
      }
    }
  });
});
