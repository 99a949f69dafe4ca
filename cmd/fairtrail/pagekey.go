package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pageKeyEnv names the environment variable that gives serve the key its page tokens are signed with: the
// same value on every replica behind one address lets a client's cursor continue on any of them.
const pageKeyEnv = "FAIRTRAIL_PAGE_KEY"

// pageKeyName is the file, beside the API key file, that holds the page tokens' key when pageKeyEnv is unset:
// 32 random bytes in hex, written at serve's first start, so that a cursor outlives a restart.
const pageKeyName = "page.key"

// minPageKey is the shortest page key accepted, in bytes: a page token's signature is as strong as its key.
const minPageKey = 32

// errPageKey reports a page key given or stored that cannot sign page tokens.
var errPageKey = errors.New("page key unusable")

// pageKey is the key serve signs page tokens with and where it came from (for the log; never the key): the
// value of $FAIRTRAIL_PAGE_KEY when set (its bytes, at least minPageKey of them), else the key stored in
// page.key beside keysPath, created there if missing. Replicas sharing that directory share the key; others
// are given the same $FAIRTRAIL_PAGE_KEY.
func pageKey(getenv func(string) string, keysPath string) ([]byte, string, error) {
	if v := getenv(pageKeyEnv); v != "" {
		if len(v) < minPageKey {
			return nil, "", fmt.Errorf("%w: $%s: %d bytes, at least %d needed", errPageKey, pageKeyEnv, len(v), minPageKey)
		}
		return []byte(v), "$" + pageKeyEnv, nil
	}
	path := filepath.Join(filepath.Dir(keysPath), pageKeyName)
	key, err := readPageKey(path)
	if errors.Is(err, os.ErrNotExist) {
		if err = createPageKey(path); err == nil {
			key, err = readPageKey(path)
		}
	}
	if err != nil {
		return nil, "", err
	}
	return key, path, nil
}

// readPageKey reads the key stored at path: hex, at least minPageKey bytes.
func readPageKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the page key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: not hexadecimal: %w", errPageKey, path, err)
	}
	if len(key) < minPageKey {
		return nil, fmt.Errorf("%w: %s: %d bytes, at least %d needed", errPageKey, path, len(key), minPageKey)
	}
	return key, nil
}

// createPageKey writes a new random key at path unless a key is there already (another replica's, written
// meanwhile, is kept): written whole to a file of its own first, then linked into place, which fails where
// path exists, so a reader never sees a key half written.
func createPageKey(path string) error {
	key := make([]byte, minPageKey)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("create the page key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), pageKeyName+".*")
	if err != nil {
		return fmt.Errorf("create the page key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create the page key %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create the page key %s: %w", path, err)
	}
	return nil
}
