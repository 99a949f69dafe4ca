package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPageKeyIsStableAcrossStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys.json")
	noEnv := func(string) string { return "" }
	first, from, err := pageKey(noEnv, keys)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, pageKeyName); from != want {
		t.Errorf("key from %s, want %s", from, want)
	}
	if len(first) != minPageKey {
		t.Errorf("a created key of %d bytes, want %d", len(first), minPageKey)
	}
	if fi, err := os.Stat(filepath.Join(dir, pageKeyName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("page.key: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	again, _, err := pageKey(noEnv, keys) // a restart
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("a restart read another key (%v)", err)
	}
	other, _, err := pageKey(noEnv, filepath.Join(t.TempDir(), "keys.json"))
	if err != nil || bytes.Equal(other, first) {
		t.Errorf("another key file's directory got the same key (%v)", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, pageKeyName+".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestPageKeyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := strings.Repeat("s3cret-", 5)
	env := func(k string) string {
		if k == pageKeyEnv {
			return secret
		}
		return ""
	}
	key, from, err := pageKey(env, filepath.Join(dir, "keys.json"))
	if err != nil || string(key) != secret || from != "$"+pageKeyEnv {
		t.Errorf("pageKey = %q from %s, %v; want the variable's value", key, from, err)
	}
	if _, err := os.Stat(filepath.Join(dir, pageKeyName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("page.key written although the environment gives the key: %v", err)
	}
}

func TestPageKeyRefusesAnUnusableKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, env, file, wantIn string
	}{
		{name: "a variable too short", env: "short", wantIn: pageKeyEnv},
		{name: "a file not in hex", file: "not hex at all", wantIn: pageKeyName},
		{name: "a file too short", file: "00ff00ff", wantIn: pageKeyName},
		{name: "an empty file", file: "\n", wantIn: pageKeyName},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(dir, pageKeyName), []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := func(k string) string {
				if k == pageKeyEnv {
					return tc.env
				}
				return ""
			}
			_, _, err := pageKey(env, filepath.Join(dir, "keys.json"))
			if !errors.Is(err, errPageKey) || !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("pageKey = %v, want errPageKey naming %s", err, tc.wantIn)
			}
		})
	}
}
