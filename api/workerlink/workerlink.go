// Package workerlink makes what a worker's access link is shown as, once, when it is created: its URL and
// the QR code of that URL, to print on the worker's copy of the contract. The command line, the API and the
// web console all show a link through it. QR codes are encoded by github.com/piglig/go-qr (a port of Nayuki's
// reference QR code generator) at error-correction level Medium, with the standard quiet zone of four modules.
package workerlink

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	qr "github.com/piglig/go-qr"
)

// PathPrefix starts the path of every worker page; the secret follows it.
const PathPrefix = "/w/"

// ErrBaseURL is returned for a base URL that is not an absolute http or https URL without a query.
var ErrBaseURL = errors.New("base URL: must be an absolute http:// or https:// URL with no query or fragment")

// URL is the link a worker opens: the server's base URL (such as https://fairtrail.example.org, or one with a
// path prefix when the server sits under one) and the secret.
func URL(base, secret string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" ||
		u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q: %w", base, ErrBaseURL)
	}
	return strings.TrimSuffix(u.String(), "/") + PathPrefix + secret, nil
}

// RequestBase is the scheme and host a request came to: the base of the links made in answer to it when no
// public URL is configured (behind a proxy, configure one: the Host header is the proxy's to set).
func RequestBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// moduleScale is the pixels (or SVG units) of a QR module; the quiet zone is four modules.
const moduleScale = 8

func encode(link string) (*qr.QrCode, *qr.QrCodeImgConfig, error) {
	code, err := qr.EncodeText(link, qr.Medium)
	if err != nil {
		return nil, nil, fmt.Errorf("QR code of the link: %w", err)
	}
	return code, qr.NewQrCodeImgConfig(moduleScale, 4*moduleScale, qr.WithOptimalSVG()), nil
}

// SVG is the link's QR code as an SVG document: a rectangle and one path, no script and no style attribute,
// so that it renders under the console's content security policy.
func SVG(link string) ([]byte, error) {
	code, cfg, err := encode(link)
	if err != nil {
		return nil, err
	}
	return code.ToSVGBytes(cfg)
}

// PNG is the link's QR code as a PNG image.
func PNG(link string) ([]byte, error) {
	code, cfg, err := encode(link)
	if err != nil {
		return nil, err
	}
	return code.ToPNGBytes(cfg)
}

// DataURI is the QR code's SVG as a data: URI, for an <img> on a page that is shown once and never stored.
func DataURI(link string) (string, error) {
	svg, err := SVG(link)
	if err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg), nil
}
