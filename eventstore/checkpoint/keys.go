package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ErrKey: a signing or verifier key that cannot be used.
var ErrKey = errors.New("unusable key")

// GenerateKey makes an Ed25519 signing key for a log named origin (e.g. fairtrail.example.org/log) and its
// verifier key, both in golang.org/x/mod/sumdb/note's text form.
func GenerateKey(origin string) (signer, verifier string, err error) {
	if origin == "" || strings.ContainsAny(origin, "+ \t\n") {
		return "", "", fmt.Errorf("origin %q: a non-empty name without spaces or '+': %w", origin, ErrKey)
	}
	signer, verifier, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("generate key for %s: %w", origin, err)
	}
	return signer, verifier, nil
}

// WriteKey writes a signing key to a new file readable by its owner only; an existing file is not replaced.
func WriteKey(path, signer string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write signing key: %w", err)
	}
	_, err = f.WriteString(signer + "\n")
	return errors.Join(err, f.Sync(), f.Close())
}

// LoadSigner reads a signing key file written by WriteKey.
func LoadSigner(path string) (note.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w: %w", path, ErrKey, err)
	}
	return s, nil
}

// ParseVerifier reads a verifier key given as its text, or as the name of a file holding it.
func ParseVerifier(keyOrFile string) (note.Verifier, error) {
	text, err := keyText(keyOrFile, "verifier key")
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("verifier key: %w: %w", ErrKey, err)
	}
	return v, nil
}

// LoadKey reads a signing key file written by WriteKey and derives its verifier.
func LoadKey(path string) (note.Signer, note.Verifier, error) {
	s, err := LoadSigner(path)
	if err != nil {
		return nil, nil, err
	}
	b, _ := os.ReadFile(path) // read just now by LoadSigner
	v, err := verifierOf(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, v, nil
}

// verifierOf derives the verifier key of an Ed25519 signing key in note's text form
// (PRIVATE+KEY+name+hash+base64(0x01 || seed)).
func verifierOf(skey string) (note.Verifier, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, ErrKey
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return nil, fmt.Errorf("%w: not an Ed25519 signing key", ErrKey)
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return v, nil
}

// keyText is a verifier key given as its text (name+hash+key) or as a file holding it; what names it in errors.
func keyText(keyOrFile, what string) (string, error) {
	text := strings.TrimSpace(keyOrFile)
	if strings.Contains(text, "+") {
		return text, nil
	}
	b, err := os.ReadFile(keyOrFile)
	if err != nil {
		return "", fmt.Errorf("%s %q: neither a key nor a readable file: %w", what, keyOrFile, err)
	}
	return strings.TrimSpace(string(b)), nil
}
