package checkpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// maxAnswer bounds what a witness reads of one answer.
const maxAnswer = 1 << 20

// HTTPSource is a fairtrail API's log routes, as a witness reaches them.
type HTTPSource struct {
	// BaseURL is the API's address (http://host:8080); APIKey a key of a role that reads the log.
	BaseURL string
	APIKey  string
	Client  *http.Client
}

var _ Source = HTTPSource{}

func (h HTTPSource) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(h.BaseURL, "/")+path, r)
	if err != nil {
		return nil, err
	}
	if h.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+h.APIKey)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

// Latest implements Source.
func (h HTTPSource) Latest(ctx context.Context) ([]byte, error) {
	return h.do(ctx, http.MethodGet, "/v1/log/checkpoint", nil)
}

// Consistency implements Source.
func (h HTTPSource) Consistency(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	q := url.Values{"from": {fmt.Sprint(from)}, "to": {fmt.Sprint(to)}}
	b, err := h.do(ctx, http.MethodGet, "/v1/log/consistency?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	var p struct {
		Hashes []tlog.Hash `json:"hashes"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return p.Hashes, nil
}

// Cosign implements Source.
func (h HTTPSource) Cosign(ctx context.Context, cosigned []byte) error {
	_, err := h.do(ctx, http.MethodPost, "/v1/log/cosignatures", cosigned)
	return err
}
