package checkpoint_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/fairtrail/fairtrail/eventstore/checkpoint"
)

// TestSignatureLinesReadAsC2SPByteForByte checks a cosigned checkpoint's signature lines against the C2SP texts
// alone (spec section 6), with crypto/ed25519 and no note library: the operator's line is a signed-note
// Ed25519 signature (key ID the first 4 bytes of SHA-256(name, 0x0A, 0x01, public key), then the signature of
// the note's text), and the witness's line a tlog-cosignature/v1 (key ID over 0x04, then an 8-byte big-endian
// timestamp and the signature of "cosignature/v1\ntime T\n" followed by the checkpoint). A witness whose
// cosignature were a plain signed-note signature, or one that signed other bytes, fails it.
func TestSignatureLinesReadAsC2SPByteForByte(t *testing.T) {
	t.Parallel()
	opSkey, opVkey, err := checkpoint.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	wSkey, wVkey, err := checkpoint.GenerateKey("witness.test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(opSkey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(opVkey)
	if err != nil {
		t.Fatal(err)
	}
	_, signed, err := checkpoint.Sign(context.Background(), filled(t, 5), signer)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Unix()
	cosigned, err := checkpoint.Cosign(signed, verifier, wSkey)
	if err != nil {
		t.Fatal(err)
	}
	text, sigs, ok := strings.Cut(string(cosigned), "\n\n")
	if !ok {
		t.Fatalf("no blank line before the signatures:\n%s", cosigned)
	}
	text += "\n"
	lines := strings.Split(strings.TrimSuffix(sigs, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want the operator's line and the witness's, got:\n%s", sigs)
	}

	name, pub := rawKey(t, opVkey)
	id, sig := signatureLine(t, lines[0], name)
	if want := keyID(name, 0x01, pub); !bytes.Equal(id, want) || len(sig) != ed25519.SignatureSize ||
		!ed25519.Verify(pub, []byte(text), sig) {
		t.Errorf("the operator's line is not a C2SP signed-note Ed25519 signature of the checkpoint: %s", lines[0])
	}

	name, pub = rawKey(t, wVkey)
	id, sig = signatureLine(t, lines[1], name)
	if len(sig) != 8+ed25519.SignatureSize {
		t.Fatalf("the witness's line holds %d bytes after its key ID, want an 8-byte timestamp and a signature", len(sig))
	}
	if want := keyID(name, 0x04, pub); !bytes.Equal(id, want) {
		t.Errorf("the witness's key ID is %x, want %x (C2SP tlog-cosignature: over 0x04 and the key)", id, want)
	}
	at := binary.BigEndian.Uint64(sig[:8])
	if int64(at) < before-1 || int64(at) > time.Now().Unix()+1 {
		t.Errorf("cosignature timestamp %d is not the time of signing", at)
	}
	msg := "cosignature/v1\ntime " + strconv.FormatUint(at, 10) + "\n" + text
	if !ed25519.Verify(pub, []byte(msg), sig[8:]) {
		t.Errorf("the witness's signature is not over %q", msg)
	}
}

// rawKey reads a verifier key "name+hash+base64(0x01 || key)" into its name and Ed25519 public key.
func rawKey(t *testing.T, vkey string) (string, ed25519.PublicKey) {
	t.Helper()
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		t.Fatalf("verifier key %q", vkey)
	}
	b, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(b) != 1+ed25519.PublicKeySize || b[0] != 0x01 {
		t.Fatalf("verifier key %q is not an Ed25519 key: %v", vkey, err)
	}
	if want := keyID(parts[0], 0x01, b[1:]); parts[1] != hex.EncodeToString(want) {
		t.Fatalf("verifier key %q: hash %s, want %x", vkey, parts[1], want)
	}
	return parts[0], b[1:]
}

// signatureLine reads "— name base64(key ID || signature)".
func signatureLine(t *testing.T, line, name string) (id, sig []byte) {
	t.Helper()
	rest, ok := strings.CutPrefix(line, "\u2014 "+name+" ")
	b, err := base64.StdEncoding.DecodeString(rest)
	if !ok || err != nil || len(b) < 4 {
		t.Fatalf("signature line %q is not \"— %s base64\": %v", line, name, err)
	}
	return b[:4], b[4:]
}

// keyID is the first 4 bytes of SHA-256(name || 0x0A || alg || key).
func keyID(name string, alg byte, key []byte) []byte {
	h := sha256.Sum256(append(append([]byte(name+"\n"), alg), key...))
	return h[:4]
}
