package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysCommand(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "", "keys", "grant", "--auditor", "aud-1", "--buyer", "buyer-1", "--data", data); code != 1 ||
		!strings.Contains(errOut, `auditor "aud-1": no key with the auditor role`) {
		t.Fatalf("grant to an auditor that does not exist: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", "keys", "create", "--org", "aud-1", "--role", "auditor", "--data", data); code != 0 {
		t.Fatalf("create the auditor: exit %d, %s", code, errOut)
	}
	code, secret, errOut := cli(t, "", "keys", "create", "--org", "buyer-1", "--role", "buyer", "--data", data)
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, "ft_") || strings.Contains(secret, "\n") || !strings.Contains(errOut, "shown once") {
		t.Fatalf("create: exit %d, stdout %q, stderr %q", code, secret, errOut)
	}
	cases := []struct {
		name string
		args []string
		code int
		out  string // in stdout
	}{
		{"grant", []string{"grant", "--auditor", "aud-1", "--buyer", "buyer-1"}, 0, "may now read"},
		{"list", []string{"list"}, 0, "buyer-1"},
		{"ungrant", []string{"ungrant", "--auditor", "aud-1", "--buyer", "buyer-1"}, 0, "no longer"},
		{"ungrant again", []string{"ungrant", "--auditor", "aud-1", "--buyer", "buyer-1"}, 1, ""},
		{"unknown role", []string{"create", "--org", "x", "--role", "root"}, 2, ""},
		{"bad organisation id", []string{"create", "--org", "a b", "--role", "admin"}, 2, ""},
		{"create without --role", []string{"create", "--org", "x"}, 2, ""},
		{"revoke an unknown key", []string{"revoke", "key_000000000000"}, 1, ""},
		{"revoke without an id", []string{"revoke"}, 2, ""},
		{"unknown subcommand", []string{"rotate"}, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, "", append(append([]string{"keys"}, tc.args...), "--data", data)...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, out, errOut)
			}
		})
	}
	_, out, _ := cli(t, "", "keys", "list", "--format", "json", "--keys", filepath.Join(data, "keys.json"))
	var listed struct {
		Keys []struct {
			ID     string `json:"id"`
			SHA256 string `json:"sha256"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Keys) != 2 || listed.Keys[1].SHA256 != "" {
		t.Fatalf("list --format json: %v %s", err, out)
	}
	if code, out, _ := cli(t, "", "keys", "revoke", listed.Keys[1].ID, "--data", data); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %d %s", code, out)
	}
	if code, _, _ := cli(t, "", "keys"); code != 2 {
		t.Errorf("keys without a subcommand: exit %d", code)
	}
}
