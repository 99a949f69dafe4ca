package keys_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fairtrail/fairtrail/api/keys"
)

func TestCreateAuthenticateRevoke(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.json")
	f := keys.Open(path, keys.Options{})
	secret, k, err := f.Create("emp-1", keys.RoleEmployer)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ft_") || len(secret) != 46 || k.ID == "" || k.Org != "emp-1" {
		t.Fatalf("key %q, record %+v", secret, k)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), strings.TrimPrefix(secret, "ft_")) {
		t.Error("the file holds the key itself")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	server := keys.Open(path, keys.Options{}) // another process's view of the same file
	id, err := server.Authenticate(secret)
	if err != nil || id.Org != "emp-1" || id.Role != keys.RoleEmployer || id.KeyID != k.ID {
		t.Fatalf("authenticate: %+v, %v", id, err)
	}
	for _, bad := range []string{"", "ft_", secret + "x", "ft_" + strings.Repeat("A", 43), strings.ToUpper(secret)} {
		if _, err := server.Authenticate(bad); !errors.Is(err, keys.ErrUnknownKey) {
			t.Errorf("authenticate %q: %v, want ErrUnknownKey", bad, err)
		}
	}
	if _, err := f.Revoke(k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Authenticate(secret); !errors.Is(err, keys.ErrUnknownKey) {
		t.Errorf("a revoked key authenticates: %v", err)
	}
	if _, err := f.Revoke("key_nope"); !errors.Is(err, keys.ErrNotFound) {
		t.Errorf("revoke an unknown id: %v", err)
	}
	ks, _, err := f.List()
	if err != nil || len(ks) != 1 || ks[0].RevokedAt == nil {
		t.Errorf("list after revoke: %+v, %v", ks, err)
	}
}

func TestGrants(t *testing.T) {
	f := keys.Open(filepath.Join(t.TempDir(), "keys.json"), keys.Options{})
	aud, _, err := f.Create("aud-1", keys.RoleAuditor)
	if err != nil {
		t.Fatal(err)
	}
	buyer, _, err := f.Create("buyer-1", keys.RoleBuyer)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := f.Authenticate(aud); len(id.Buyers) != 0 {
		t.Errorf("an auditor without grants reads %v", id.Buyers)
	}
	for _, b := range []string{"buyer-2", "buyer-1", "buyer-2"} {
		if err := f.Grant("aud-1", b); err != nil {
			t.Fatal(err)
		}
	}
	for _, org := range []string{"aud-9", "buyer-1"} { // no key at all; a key, but not an auditor's
		if err := f.Grant(org, "buyer-1"); !errors.Is(err, keys.ErrNotFound) {
			t.Errorf("grant to %s, who is not an auditor: %v, want ErrNotFound", org, err)
		}
	}
	if id, _ := f.Authenticate(aud); strings.Join(id.Buyers, ",") != "buyer-1,buyer-2" {
		t.Errorf("auditor reads %v", id.Buyers)
	}
	if id, _ := f.Authenticate(buyer); strings.Join(id.Buyers, ",") != "buyer-1" {
		t.Errorf("buyer reads %v", id.Buyers)
	}
	if err := f.Ungrant("aud-1", "buyer-2"); err != nil {
		t.Fatal(err)
	}
	if id, _ := f.Authenticate(aud); strings.Join(id.Buyers, ",") != "buyer-1" {
		t.Errorf("after ungrant the auditor reads %v", id.Buyers)
	}
	if err := f.Ungrant("aud-1", "buyer-9"); !errors.Is(err, keys.ErrNotFound) {
		t.Errorf("ungrant of no grant: %v", err)
	}
}

// TestWorkerOrganisationGrants: a worker organisation is granted a buyer's workers as an auditor is.
func TestWorkerOrganisationGrants(t *testing.T) {
	f := keys.Open(filepath.Join(t.TempDir(), "keys.json"), keys.Options{})
	wo, _, err := f.Create("union-1", keys.RoleWorkerOrganisation)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := f.Authenticate(wo); len(id.Buyers) != 0 || id.Role != keys.RoleWorkerOrganisation {
		t.Errorf("a worker organisation without grants: %+v", id)
	}
	if err := f.Grant("union-1", "buyer-1"); err != nil {
		t.Fatal(err)
	}
	if id, _ := f.Authenticate(wo); strings.Join(id.Buyers, ",") != "buyer-1" {
		t.Errorf("worker organisation reads %v", id.Buyers)
	}
}

func TestInvalidInput(t *testing.T) {
	f := keys.Open(filepath.Join(t.TempDir(), "keys.json"), keys.Options{})
	for _, c := range []struct{ org, role string }{{"", keys.RoleAdmin}, {"-x", keys.RoleAdmin}, {"a b", keys.RoleAdmin},
		{strings.Repeat("a", 129), keys.RoleAdmin}, {"emp-1", "superuser"}, {"emp-1", ""},
		// Recorders that are not organisations: a key's events would pass as the worker's own, an import, an interview.
		{"worker", keys.RoleWorkerOrganisation}, {"import", keys.RoleAdmin}, {"interview:aud-1", keys.RoleAuditor}} {
		if _, _, err := f.Create(c.org, c.role); !errors.Is(err, keys.ErrInvalid) {
			t.Errorf("create %q %q: %v, want ErrInvalid", c.org, c.role, err)
		}
	}
	if err := f.Grant("aud 1", "buyer-1"); !errors.Is(err, keys.ErrInvalid) {
		t.Errorf("grant to a bad id: %v", err)
	}
}

// TestConcurrentChangesAreNotLost: writers in separate File values (as separate processes would be) take the
// file lock, so none of their keys is lost.
func TestConcurrentChangesAreNotLost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	var wg sync.WaitGroup
	secrets := make([]string, 16)
	for i := range secrets {
		wg.Go(func() {
			s, _, err := keys.Open(path, keys.Options{}).Create("org-1", keys.RoleBuyer)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		})
	}
	wg.Wait()
	f := keys.Open(path, keys.Options{})
	for _, s := range secrets {
		if _, err := f.Authenticate(s); err != nil {
			t.Errorf("key lost: %v", err)
		}
	}
}

func TestDamagedFileKeepsTheKeysLastRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	f := keys.Open(path, keys.Options{})
	secret, _, err := f.Create("ops", keys.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Authenticate(secret); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"version": 1, "keys": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Authenticate(secret); err != nil {
		t.Errorf("a key read before the damage: %v", err)
	}
	if _, err := f.Authenticate("ft_" + strings.Repeat("B", 43)); err == nil || errors.Is(err, keys.ErrUnknownKey) {
		t.Errorf("an unknown key with a damaged file: %v, want the file's error", err)
	}
	if _, _, err := f.Create("x", keys.RoleAdmin); err == nil {
		t.Error("a change over a damaged file succeeded")
	}
}
