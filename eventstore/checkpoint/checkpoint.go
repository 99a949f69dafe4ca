package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/fairtrail/fairtrail/eventstore"
)

// ErrSignature: a checkpoint whose signature does not verify under the key given, or that is not a
// checkpoint.
var ErrSignature = errors.New("checkpoint not signed by the log's key")

// Checkpoint is a signed tree head: the log's origin, its size and root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Body is the checkpoint's C2SP tlog-checkpoint text: origin, size and base64 root, one per line.
func (c Checkpoint) Body() string {
	return string(log.Checkpoint{Origin: c.Origin, Size: uint64(c.Size), Hash: c.Root[:]}.Marshal())
}

// Sign signs the log's current head with the operator's key; the origin is the key's name.
func Sign(ctx context.Context, l eventstore.Log, signer note.Signer) (Checkpoint, []byte, error) {
	n, err := l.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	root, err := l.TreeHash(ctx, n)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	c := Checkpoint{Origin: signer.Name(), Size: n, Root: root}
	signed, err := note.Sign(&note.Note{Text: c.Body()}, signer)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return c, signed, nil
}

// Open checks a signed checkpoint against the operator's verifier key and returns it with the note; other
// verifiers (witnesses') are checked when their signatures are present, and unknown signatures are allowed.
func Open(signed []byte, operator note.Verifier, others ...note.Verifier) (Checkpoint, *note.Note, error) {
	vs := append([]note.Verifier{operator}, others...)
	n, err := note.Open(signed, note.VerifierList(vs...))
	var unknown *note.UnverifiedNoteError
	if errors.As(err, &unknown) {
		return Checkpoint{}, nil, fmt.Errorf("%w: no signature of %s verifies", ErrSignature, operator.Name())
	}
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if !signedBy(n, operator) {
		return Checkpoint{}, nil, fmt.Errorf("%w: no signature of %s", ErrSignature, operator.Name())
	}
	c, err := parseBody(n.Text)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if c.Origin != operator.Name() {
		return Checkpoint{}, nil, fmt.Errorf("%w: origin %q is not the key's name %q", ErrSignature, c.Origin, operator.Name())
	}
	return c, n, nil
}

func signedBy(n *note.Note, v note.Verifier) bool {
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			return true
		}
	}
	return false
}

func parseBody(text string) (Checkpoint, error) {
	var lc log.Checkpoint
	if _, err := lc.Unmarshal([]byte(text)); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: not a tlog-checkpoint: %w", ErrSignature, err)
	}
	if len(lc.Hash) != tlog.HashSize || lc.Size > 1<<62 {
		return Checkpoint{}, fmt.Errorf("%w: root hash of %d bytes or size %d out of range", ErrSignature, len(lc.Hash), lc.Size)
	}
	c := Checkpoint{Origin: lc.Origin, Size: int64(lc.Size)}
	copy(c.Root[:], lc.Hash)
	return c, nil
}

// Origin reads the origin line of a signed checkpoint without checking anything.
func Origin(signed []byte) string {
	origin, _, _ := strings.Cut(string(signed), "\n")
	return origin
}

// OtherSignatures returns the signature lines of a signed note that are not the operator's, as they appear
// in it ("— name base64\n").
func OtherSignatures(signed []byte, n *note.Note, operator note.Verifier) []string {
	_, sigs, _ := strings.Cut(string(signed), "\n\n")
	var out []string
	for _, line := range strings.SplitAfter(sigs, "\n") {
		name, _, ok := strings.Cut(strings.TrimPrefix(line, "— "), " ")
		if !ok || !strings.HasPrefix(line, "— ") || !strings.HasSuffix(line, "\n") {
			continue
		}
		if name == operator.Name() && signedLine(n, operator, line) {
			continue
		}
		out = append(out, line)
	}
	return out
}

// SignedByOneOf reports whether a signature line of the note is the verified signature of one of vs (the note
// opened with them among its verifiers, as Open does with its others).
func SignedByOneOf(n *note.Note, line string, vs []note.Verifier) bool {
	for _, v := range vs {
		if signedLine(n, v, line) {
			return true
		}
	}
	return false
}

// signedLine reports whether a signature line is the verifier's verified signature in the note.
func signedLine(n *note.Note, v note.Verifier, line string) bool {
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() && strings.Contains(line, s.Base64) {
			return true
		}
	}
	return false
}
