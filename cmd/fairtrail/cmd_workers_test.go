package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"
)

// TestWorkersLinkCommands makes, lists and revokes a link on the command line: the URL alone on standard
// output, its QR code read back, the file without the secret; a worker the store lacks and a bad expiry are
// refused.
func TestWorkersLinkCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, errOut := cli(t, "", "import", "--data", data, filepath.Join("testdata", "scenario.ndjson")); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	qrFile := filepath.Join(dir, "w-1.png")
	code, out, errOut := cli(t, "", "workers", "link", "w-1", "--data", data, "--public-url", "https://ft.example.org/",
		"--expires", "30d", "--qr", qrFile)
	link := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(link, "https://ft.example.org/w/") || strings.Count(out, "\n") != 1 {
		t.Fatalf("workers link: %d %q %s", code, out, errOut)
	}
	b, err := os.ReadFile(qrFile)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := qr.Decode(img); err != nil || got != link {
		t.Errorf("the QR code reads %q (%v), want %q", got, err, link)
	}
	stored, _ := os.ReadFile(filepath.Join(data, "links.json"))
	if bytes.Contains(stored, []byte(link[strings.LastIndex(link, "/")+1:])) {
		t.Error("links.json holds the secret")
	}
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"a worker the store lacks", []string{"workers", "link", "w-404", "--data", data}, 1},
		{"an expiry in years", []string{"workers", "link", "w-1", "--data", data, "--expires", "1y"}, 2},
		{"a base URL without a scheme", []string{"workers", "link", "w-1", "--data", data, "--public-url", "ft.example.org"}, 2},
		{"another worker's link", []string{"workers", "unlink", "w-2", "link_000000000000", "--data", data}, 1},
	} {
		if code, _, errOut := cli(t, "", tc.args...); code != tc.want {
			t.Errorf("%s: exit %d, want %d (%s)", tc.name, code, tc.want, errOut)
		}
	}
	var listed struct {
		Links []struct {
			ID        string `json:"id"`
			CreatedBy string `json:"created_by"`
		} `json:"links"`
	}
	_, out, _ = cli(t, "", "workers", "links", "w-1", "--data", data, "--format", "json")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed.Links) != 1 || listed.Links[0].CreatedBy != "operator" ||
		strings.Contains(out, "sha256") {
		t.Fatalf("workers links: %s (%v)", out, err)
	}
	if code, out, errOut := cli(t, "", "workers", "unlink", "w-1", listed.Links[0].ID, "--data", data); code != 0 ||
		!strings.HasPrefix(out, "revoked "+listed.Links[0].ID) {
		t.Errorf("workers unlink: %d %q %s", code, out, errOut)
	}
}
