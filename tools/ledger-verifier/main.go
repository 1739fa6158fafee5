// Command ledger-verifier checks the alliance service's audit ledger without trusting its code:
// a signed checkpoint (C2SP tlog-checkpoint) against the verifier key the auditor keeps, the
// inclusion proofs of single entries and the consistency proof from an older checkpoint, all with
// the Go project's own transparency-log packages (golang.org/x/mod/sumdb/note and tlog).
//
// Usage: ledger-verifier -key 'NAME+KEYID+BASE64' < bundle.json
//
// The bundle is what the service exports (GET /api/audit/proofs):
//
//	{"checkpoint": "<signed note>",
//	 "entries": [{"index": 0, "leafHash": "<base64>", "proof": ["<base64>", ...],
//	              "leafData": "<the entry's canonical JSON>", "payload": "<the command's canonical JSON>"}],
//	 "since": {"checkpoint": "<older signed note>", "proof": ["<base64>", ...]}}
//
// With leafData, the leaf is hashed here (SHA-256 of 0x00 and the data), not taken from the
// bundle; with payload, its SHA-256 must be the payloadDigest the entry's data records.
//
// Exit status 0 when everything holds; 1 with one line naming the first thing that does not.
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type entry struct {
	Index    int64    `json:"index"`
	LeafHash string   `json:"leafHash"`
	Proof    []string `json:"proof"`
	LeafData *string  `json:"leafData"`
	Payload  *string  `json:"payload"`
}

// leafOf is the entry's leaf: hashed here from its data when the bundle carries it, and the payload
// checked against the digest that data records.
func leafOf(e entry) (tlog.Hash, error) {
	given, err := hashOf(e.LeafHash)
	if err != nil || e.LeafData == nil {
		return given, err
	}
	leaf := tlog.RecordHash([]byte(*e.LeafData))
	if leaf != given {
		return tlog.Hash{}, errors.New("its data does not hash to the leaf the bundle names")
	}
	if e.Payload != nil {
		var recorded struct {
			PayloadDigest string `json:"payloadDigest"`
		}
		if err := json.Unmarshal([]byte(*e.LeafData), &recorded); err != nil {
			return tlog.Hash{}, fmt.Errorf("its data is not an entry's JSON: %v", err)
		}
		digest := sha256.Sum256([]byte(*e.Payload))
		if hex.EncodeToString(digest[:]) != recorded.PayloadDigest {
			return tlog.Hash{}, errors.New("its payload does not have the digest the entry records")
		}
	}
	return leaf, nil
}

type bundle struct {
	Checkpoint string  `json:"checkpoint"`
	Entries    []entry `json:"entries"`
	Since      *struct {
		Checkpoint string   `json:"checkpoint"`
		Proof      []string `json:"proof"`
	} `json:"since"`
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func hashOf(text string) (tlog.Hash, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("%q is not a base64 SHA-256 hash", text)
	}
	var h tlog.Hash
	copy(h[:], raw)
	return h, nil
}

func hashesOf(texts []string) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(texts))
	for i, t := range texts {
		h, err := hashOf(t)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	return hashes, nil
}

// open verifies the note's signature with the trusted key and reads origin, size and root.
func open(signed string, verifier note.Verifier) (checkpoint, error) {
	n, err := note.Open([]byte(signed), note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("the checkpoint's signature does not verify with the trusted key: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return checkpoint{}, errors.New("the checkpoint has no origin, size and root lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return checkpoint{}, fmt.Errorf("the checkpoint size %q is not a whole number", lines[1])
	}
	root, err := hashOf(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("the checkpoint root: %v", err)
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

func run(key string, input io.Reader, out io.Writer) error {
	verifier, err := note.NewVerifier(key)
	if err != nil {
		return fmt.Errorf("the verifier key: %v", err)
	}
	var b bundle
	decoder := json.NewDecoder(io.LimitReader(input, 64<<20))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&b); err != nil {
		return fmt.Errorf("the bundle is not the expected JSON: %v", err)
	}
	current, err := open(b.Checkpoint, verifier)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "checkpoint %s: %d entries, root %s, signed by %s\n", current.origin, current.size, current.root, verifier.Name())
	for _, e := range b.Entries {
		leaf, err := leafOf(e)
		if err != nil {
			return fmt.Errorf("entry %d: %v", e.Index, err)
		}
		proof, err := hashesOf(e.Proof)
		if err != nil {
			return fmt.Errorf("entry %d: %v", e.Index, err)
		}
		if e.Index < 0 || e.Index >= current.size {
			return fmt.Errorf("entry %d is not in a log of %d entries", e.Index, current.size)
		}
		if err := tlog.CheckRecord(proof, current.size, current.root, e.Index, leaf); err != nil {
			return fmt.Errorf("entry %d is not in the checkpoint's tree: %v", e.Index, err)
		}
		fmt.Fprintf(out, "entry %d: included\n", e.Index)
	}
	if b.Since != nil {
		older, err := open(b.Since.Checkpoint, verifier)
		if err != nil {
			return fmt.Errorf("the older checkpoint: %v", err)
		}
		if older.origin != current.origin {
			return fmt.Errorf("the older checkpoint is of another log (%s, not %s)", older.origin, current.origin)
		}
		proof, err := hashesOf(b.Since.Proof)
		if err != nil {
			return fmt.Errorf("the consistency proof: %v", err)
		}
		if older.size > current.size {
			return fmt.Errorf("the log shrank from %d to %d entries", older.size, current.size)
		}
		if err := tlog.CheckTree(proof, current.size, current.root, older.size, older.root); err != nil {
			return fmt.Errorf("the log of %d entries does not extend the trusted one of %d: %v", current.size, older.size, err)
		}
		fmt.Fprintf(out, "consistent with the trusted checkpoint of %d entries\n", older.size)
	}
	return nil
}

func main() {
	key := flag.String("key", "", "the log's verifier key (NAME+KEYID+BASE64), as the auditor keeps it")
	flag.Parse()
	if *key == "" {
		fmt.Fprintln(os.Stderr, "ledger-verifier: -key is required (the log's verifier key)")
		os.Exit(2)
	}
	if err := run(*key, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ledger-verifier:", err)
		os.Exit(1)
	}
}
