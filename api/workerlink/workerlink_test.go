package workerlink_test

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"

	"github.com/fairtrail/fairtrail/api/workerlink"
)

func TestURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, want string }{
		{"https://fairtrail.example.org", "https://fairtrail.example.org/w/SECRET"},
		{"https://fairtrail.example.org/", "https://fairtrail.example.org/w/SECRET"},
		{"http://127.0.0.1:8080/tracker/", "http://127.0.0.1:8080/tracker/w/SECRET"},
	} {
		got, err := workerlink.URL(tc.base, "SECRET")
		if err != nil || got != tc.want {
			t.Errorf("URL(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "fairtrail.example.org", "ftp://x", "https://x/?a=b", "https://u:p@x", "https://x/#f"} {
		if _, err := workerlink.URL(bad, "SECRET"); !errors.Is(err, workerlink.ErrBaseURL) {
			t.Errorf("URL(%q): %v, want ErrBaseURL", bad, err)
		}
	}
}

// TestQRCodeReadsBackAsTheLink decodes the PNG with the library's own reader: a QR code that a scanner reads
// as anything but the link would send a worker nowhere.
func TestQRCodeReadsBackAsTheLink(t *testing.T) {
	t.Parallel()
	link := "https://fairtrail.example.org/w/AAECAwQFBgcICQoLDA0ODxAREhM"
	b, err := workerlink.PNG(link)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	got, err := qr.Decode(img)
	if err != nil || got != link {
		t.Fatalf("decoded %q, %v; want %q", got, err, link)
	}
	svg, err := workerlink.SVG(link)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<script", "style=", "href"} {
		if bytes.Contains(svg, []byte(banned)) {
			t.Errorf("the SVG contains %q", banned)
		}
	}
	uri, err := workerlink.DataURI(link)
	if err != nil || !strings.HasPrefix(uri, "data:image/svg+xml;base64,") {
		t.Errorf("data URI %.40q, %v", uri, err)
	}
}
