package kurrent

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestComposeFilesPinKurrentDB: the compose files of ops/kurrentdb run one exact KurrentDB release (major,
// minor and patch), so that what was tested is what runs; a moving tag such as 25.0 or latest changes the
// server under an unchanged file.
func TestComposeFilesPinKurrentDB(t *testing.T) {
	files, err := filepath.Glob("../../ops/kurrentdb/docker-compose*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no compose files under ops/kurrentdb (%v)", err)
	}
	image := regexp.MustCompile(`(?m)^\s*image:\s*(\S*kurrentdb\S*)\s*$`)
	pinned := regexp.MustCompile(`:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found := image.FindAllStringSubmatch(string(b), -1)
		if len(found) == 0 {
			t.Errorf("%s: no KurrentDB image", f)
		}
		for _, m := range found {
			if !pinned.MatchString(m[1]) {
				t.Errorf("%s: image %s is not pinned to a full version (major.minor.patch)", f, m[1])
			}
		}
	}
}
