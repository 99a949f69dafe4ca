package kurrent

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// update rewrites the golden file: go test ./eventstore/kurrent -run Golden -update
var update = flag.Bool("update", false, "rewrite testdata/metadata.golden.json")

// TestMetadataGolden pins the stored form of fairtrail's metadata in KurrentDB: events already stored are read
// with it, so a change must be a new version.
func TestMetadataGolden(t *testing.T) {
	occurred := time.Date(2025, 3, 4, 9, 0, 0, 0, time.FixedZone("NPT", 5*3600+45*60))
	recorded := time.Date(2025, 3, 5, 10, 11, 12, 123456789, time.UTC)
	hash := strings.Repeat("0123456789abcdef", 4)
	got := encodeMetadata(occurred, recorded, "import", hash)
	path := filepath.Join("testdata", "metadata.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("metadata\n got: %s\nwant: %s", got, want)
	}
	o, r, by, h, err := decodeMetadata(want)
	if err != nil || !o.Equal(occurred) || o.Location() != time.UTC || !r.Equal(recorded) || by != "import" || h != hash {
		t.Fatalf("decode of the golden metadata: %v %v %q %q %v", o, r, by, h, err)
	}
}

func TestMetadataRejects(t *testing.T) {
	good := `{"fairtrail":1,"occurred_at":"2025-03-04T09:00:00Z","recorded_at":"2025-03-04T09:00:00Z","recorded_by":"x","hash":"` +
		strings.Repeat("ab", 32) + `"}`
	cases := []struct{ name, in, want string }{
		{"nothing", ``, "no fairtrail metadata"},
		{"not JSON", `{"fairtrail":`, "fairtrail metadata"},
		{"another version", strings.Replace(good, `"fairtrail":1`, `"fairtrail":2`, 1), "version 2"},
		{"no version", strings.Replace(good, `"fairtrail":1,`, ``, 1), "version 0"},
		{"an unknown field", strings.Replace(good, `}`, `,"extra":1}`, 1), "unknown field"},
		{"a bad occurred_at", strings.Replace(good, `"occurred_at":"2025-03-04T09:00:00Z"`, `"occurred_at":"2025-03-04"`, 1), "occurred_at"},
		{"a bad recorded_at", strings.Replace(good, `"recorded_at":"2025-03-04T09:00:00Z"`, `"recorded_at":""`, 1), "recorded_at"},
		{"an upper-case hash", strings.Replace(good, "abab", "ABAB", 1), "hash"},
		{"a short hash", strings.Replace(good, "abab", "", 1), "hash"},
		{"trailing data", good + `{}`, "after the object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, _, err := decodeMetadata([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, _, _, _, err := decodeMetadata([]byte(good)); err != nil {
		t.Fatalf("good metadata: %v", err)
	}
}

// FuzzDecodeMetadata: stored metadata is outside input (anyone with write access to the database can put
// bytes there). decodeMetadata never panics, its fast path reads exactly what encoding/json reads, and what
// it accepts encodes back to an equivalent value.
//
//	go test ./eventstore/kurrent -run '^$' -fuzz FuzzDecodeMetadata -fuzztime 60s
func FuzzDecodeMetadata(f *testing.F) {
	f.Add(encodeMetadata(time.Unix(0, 1).UTC(), time.Unix(1, 0).UTC(), "import", strings.Repeat("0", 64)))
	f.Add([]byte(`{"fairtrail":1,"occurred_at":"2025-03-04T09:00:00+05:45","recorded_at":"2025-03-04T09:00:00.5Z","recorded_by":"","hash":"` + strings.Repeat("f", 64) + `"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if fast, ok := fastMetadata(in); ok {
			if slow, err := jsonMetadata(in); err != nil || slow != fast {
				t.Fatalf("fast path read %+v, encoding/json %+v (%v)", fast, slow, err)
			}
		}
		o, r, by, h, err := decodeMetadata(in)
		if err != nil {
			return
		}
		o2, r2, by2, h2, err := decodeMetadata(encodeMetadata(o, r, by, h))
		if err != nil || !o2.Equal(o) || !r2.Equal(r) || by2 != by || h2 != h {
			t.Fatalf("round trip of %s: %v", in, err)
		}
	})
}
