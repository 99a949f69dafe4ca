package keys_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairtrail/fairtrail/api/keys"
)

var update = flag.Bool("update", false, "rewrite the golden link file")

// fixedRand fills every buffer with the same byte, counting up per call, so that secrets and ids are known.
func fixedRand() func([]byte) (int, error) {
	n := byte(0)
	return func(b []byte) (int, error) {
		n++
		for i := range b {
			b[i] = n
		}
		return len(b), nil
	}
}

type linkClock struct{ t time.Time }

func (c *linkClock) now() time.Time { return c.t }

func TestLinkLifecycle(t *testing.T) {
	t.Parallel()
	c := &linkClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "links.json")
	ls := keys.OpenLinks(path, keys.Options{Now: c.now})
	secret, link, err := ls.Create("w-1", "emp-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 27 || link.WorkerID != "w-1" || !link.ExpiresAt.Equal(c.t.Add(keys.DefaultLinkLife)) {
		t.Fatalf("secret %q, link %+v", secret, link)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("the link file holds the secret")
	}
	server := keys.OpenLinks(path, keys.Options{Now: c.now}) // the server's view of the same file
	if got, err := server.Open(secret); err != nil || got.ID != link.ID {
		t.Fatalf("open: %+v, %v", got, err)
	}
	for _, bad := range []string{"", secret + "A", strings.ToUpper(secret), strings.Repeat("A", 27), "../../etc/passwd"} {
		if _, err := server.Open(bad); !errors.Is(err, keys.ErrUnknownLink) {
			t.Errorf("open %q: %v, want ErrUnknownLink", bad, err)
		}
	}
	if _, err := ls.Revoke("w-2", link.ID); !errors.Is(err, keys.ErrNotFound) {
		t.Errorf("revoking through another worker: %v, want ErrNotFound", err)
	}
	if _, err := ls.Revoke("w-1", link.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Open(secret); !errors.Is(err, keys.ErrUnknownLink) {
		t.Errorf("a revoked link opens: %v", err)
	}
	got, err := ls.List("w-1")
	if err != nil || len(got) != 1 || got[0].RevokedAt == nil {
		t.Errorf("list: %+v, %v", got, err)
	}
}

func TestLinkExpires(t *testing.T) {
	t.Parallel()
	c := &linkClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	ls := keys.OpenLinks(filepath.Join(t.TempDir(), "links.json"), keys.Options{Now: c.now})
	secret, _, err := ls.Create("w-1", "aud-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		after time.Duration
		live  bool
	}{{"a minute before expiry", 59 * time.Minute, true}, {"at expiry", time.Hour, false}} {
		c.t = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(tc.after)
		_, err := ls.Open(secret)
		if live := err == nil; live != tc.live {
			t.Errorf("%s: live %v (%v), want %v", tc.name, live, err, tc.live)
		}
	}
}

func TestLinkInvalidInput(t *testing.T) {
	t.Parallel()
	ls := keys.OpenLinks(filepath.Join(t.TempDir(), "links.json"), keys.Options{})
	for _, tc := range []struct {
		name, worker, by string
		life             time.Duration
		field            string
	}{
		{"an empty worker id", "", "emp-1", 0, "worker_id"},
		{"a worker id with a slash", "w/1", "emp-1", 0, "worker_id"},
		{"no creator", "w-1", "", 0, "created_by"},
		{"a negative life", "w-1", "emp-1", -time.Hour, "expires"},
		{"a life past five years", "w-1", "emp-1", keys.MaxLinkLife + time.Hour, "expires"},
	} {
		_, _, err := ls.Create(tc.worker, tc.by, tc.life)
		if !errors.Is(err, keys.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want ErrInvalid naming %s", tc.name, err, tc.field)
		}
	}
	if _, err := os.Stat(ls.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused link wrote the file")
	}
}

// TestLinkFileGolden pins the link file's stored format.
func TestLinkFileGolden(t *testing.T) {
	t.Parallel()
	c := &linkClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "links.json")
	ls := keys.OpenLinks(path, keys.Options{Now: c.now, Rand: fixedRand()})
	if _, _, err := ls.Create("w-1", "emp-1", 0); err != nil {
		t.Fatal(err)
	}
	_, second, err := ls.Create("w-2", "operator", 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if _, err := ls.Revoke("w-2", second.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	golden := filepath.Join("testdata", "links.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("link file:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseLife(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"720h", 720 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-1h", 0, false},
		{"1y", 0, false},
		{"99999d", 0, false},
		{"", 0, false},
	} {
		got, err := keys.ParseLife(tc.in)
		if (err == nil) != tc.ok || got != tc.want || err != nil && !errors.Is(err, keys.ErrInvalid) {
			t.Errorf("ParseLife(%q) = %s, %v; want %s (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseLife(f *testing.F) {
	for _, s := range []string{"30d", "720h", "1y", "-3d", "9999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := keys.ParseLife(s)
		if err == nil && d <= 0 {
			t.Errorf("ParseLife(%q) = %s with no error", s, d)
		}
	})
}
