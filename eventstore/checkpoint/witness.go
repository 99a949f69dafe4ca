package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tdnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrInconsistent: a log's new checkpoint does not extend the one a witness kept (a smaller tree, another
// root at the same size, or a consistency proof that does not check). The log was rewritten.
var ErrInconsistent = errors.New("checkpoint inconsistent with the one kept")

// Source is a log as a witness reaches it (the API's log routes; see HTTPSource).
type Source interface {
	// Latest is the log's latest signed checkpoint.
	Latest(ctx context.Context) ([]byte, error)
	// Consistency is the proof that the tree of size from is a prefix of the tree of size to.
	Consistency(ctx context.Context, from, to int64) ([]tlog.Hash, error)
	// Cosign hands the log a checkpoint with the witness's cosignature.
	Cosign(ctx context.Context, cosigned []byte) error
}

// WitnessResult is what one witness run saw.
type WitnessResult struct {
	// Previous is the checkpoint kept before (zero on a first run), Current the one accepted now.
	Previous, Current Checkpoint
	Cosigned          bool
}

// Witness runs a witness once: it fetches the log's latest checkpoint, checks its signature, demands a
// consistency proof from the checkpoint it kept in stateDir, and keeps the new one. A smaller tree, another
// root at the same size or a proof that fails is ErrInconsistent and nothing is kept. With a witness signing
// key, it then posts its cosignature (C2SP tlog-cosignature).
func Witness(ctx context.Context, src Source, operator note.Verifier, stateDir, witnessKey string) (WitnessResult, error) {
	var res WitnessResult
	signed, err := src.Latest(ctx)
	if err != nil {
		return res, fmt.Errorf("witness: fetch checkpoint: %w", err)
	}
	if res.Current, _, err = Open(signed, operator); err != nil {
		return res, fmt.Errorf("witness: %w", err)
	}
	state := filepath.Join(stateDir, stateName(operator.Name()))
	if kept, err := os.ReadFile(state); err == nil {
		if res.Previous, _, err = Open(kept, operator); err != nil {
			return res, fmt.Errorf("witness: the checkpoint kept in %s: %w", state, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("witness: %w", err)
	}
	if err := extends(ctx, src, res.Previous, res.Current); err != nil {
		return res, fmt.Errorf("witness: refusing checkpoint of size %d: %w", res.Current.Size, err)
	}
	if err := writeState(state, signed); err != nil {
		return res, err
	}
	if witnessKey == "" {
		return res, nil
	}
	cosigned, err := Cosign(signed, operator, witnessKey)
	if err != nil {
		return res, err
	}
	if err := src.Cosign(ctx, cosigned); err != nil {
		return res, fmt.Errorf("witness: post cosignature: %w", err)
	}
	res.Cosigned = true
	return res, nil
}

// extends checks that cur extends prev.
func extends(ctx context.Context, src Source, prev, cur Checkpoint) error {
	switch {
	case prev.Size == 0:
		return nil
	case cur.Size < prev.Size:
		return fmt.Errorf("%w: the tree has %d leaves, the checkpoint kept has %d (the log was truncated)",
			ErrInconsistent, cur.Size, prev.Size)
	case cur.Size == prev.Size:
		if cur.Root != prev.Root {
			return fmt.Errorf("%w: a different root at the same size %d (the log was rewritten)", ErrInconsistent, cur.Size)
		}
		return nil
	}
	proof, err := src.Consistency(ctx, prev.Size, cur.Size)
	if err != nil {
		return fmt.Errorf("consistency proof from %d to %d: %w", prev.Size, cur.Size, err)
	}
	if err := tlog.CheckTree(proof, cur.Size, cur.Root, prev.Size, prev.Root); err != nil {
		return fmt.Errorf("%w: the tree of size %d is not an extension of the kept tree of size %d (the log was "+
			"rewritten): %v", ErrInconsistent, cur.Size, prev.Size, err)
	}
	return nil
}

// Cosign adds a witness's cosignature (C2SP tlog-cosignature, Ed25519) to a checkpoint the operator signed.
func Cosign(signed []byte, operator note.Verifier, witnessKey string) ([]byte, error) {
	_, n, err := Open(signed, operator)
	if err != nil {
		return nil, err
	}
	cosigner, err := tdnote.NewSignerForCosignatureV1(strings.TrimSpace(witnessKey))
	if err != nil {
		return nil, fmt.Errorf("witness signing key: %w: %w", ErrKey, err)
	}
	out, err := note.Sign(n, cosigner)
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	return out, nil
}

// CosignatureVerifier is the verifier of a witness's cosignatures, from its verifier key or a file holding it
// (as ParseVerifier reads the operator's).
func CosignatureVerifier(keyOrFile string) (note.Verifier, error) {
	text, err := keyText(keyOrFile, "witness verifier key")
	if err != nil {
		return nil, err
	}
	v, err := tdnote.NewVerifierForCosignatureV1(text)
	if err != nil {
		return nil, fmt.Errorf("witness verifier key: %w: %w", ErrKey, err)
	}
	return v, nil
}

// stateName is the file a witness keeps a log's checkpoint in.
func stateName(origin string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_")
	return r.Replace(origin) + ".checkpoint"
}

// writeState replaces the kept checkpoint atomically.
func writeState(path string, signed []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	_, err = f.Write(signed)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	return nil
}
