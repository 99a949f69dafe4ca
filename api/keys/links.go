package keys

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A worker's access link is a capability: whoever holds its secret reads that one worker's own record and may
// report on it, with no key and no sign-in. The secret (LinkSecretBytes random bytes, crypto/rand) appears
// once, in the URL printed on the worker's copy of the contract; the link file keeps only its SHA-256, the
// worker, who created it, when, its expiry and its revocation.

// Errors about links that callers branch on.
var (
	// ErrUnknownLink: the secret presented is malformed, unknown, revoked or expired. The four are not told
	// apart, so that a visitor learns nothing from a refusal.
	ErrUnknownLink = errors.New("unknown, revoked or expired link")
)

// LinkSecretBytes is the entropy of a link's secret: 160 bits, above the 128 the threat model asks for, in
// 27 URL-safe characters that keep the QR code small.
const LinkSecretBytes = 20

// DefaultLinkLife is how long a link lasts when its creator does not say; MaxLinkLife bounds what they may say.
const (
	DefaultLinkLife = 365 * 24 * time.Hour
	MaxLinkLife     = 5 * DefaultLinkLife
)

// Link is the record of a worker's access link: never the link's secret.
type Link struct {
	ID        string     `json:"id"`
	WorkerID  string     `json:"worker_id"`
	SHA256    string     `json:"sha256"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Live reports whether the link opens the worker's page at t: not revoked and not expired.
func (l Link) Live(t time.Time) bool { return l.RevokedAt == nil && t.Before(l.ExpiresAt) }

// linkContents is the link file's JSON.
type linkContents struct {
	Version int    `json:"version"`
	Links   []Link `json:"links"`
}

// Links is a file of workers' access links, kept as the key file is: changes under an exclusive lock, the file
// replaced atomically, and Open reloading it whenever it was replaced, so that a link made or revoked from the
// command line takes effect on the running server's next request. Links is safe for concurrent use.
type Links struct {
	path string
	now  func() time.Time
	rand func([]byte) (int, error)

	mu     sync.Mutex // guards byHash and stat
	byHash map[string]Link
	stat   os.FileInfo
}

// OpenLinks returns the link file at path; it need not exist (it is created by the first link).
func OpenLinks(path string, opts Options) *Links {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = randRead
	}
	return &Links{path: path, now: opts.Now, rand: opts.Rand, byHash: map[string]Link{}}
}

// Path is the file's path.
func (l *Links) Path() string { return l.path }

// Create makes a link to the worker's own page, lasting life (DefaultLinkLife when zero), and returns its
// secret, to be shown once, and its record. createdBy names who made it (an organisation id, or "operator" for
// the command line). Errors: ErrInvalid (wrapped) for a bad worker id, creator or life, and file errors.
func (l *Links) Create(workerID, createdBy string, life time.Duration) (string, Link, error) {
	if life == 0 {
		life = DefaultLinkLife
	}
	if err := checkLink(workerID, createdBy, life); err != nil {
		return "", Link{}, err
	}
	b := make([]byte, LinkSecretBytes)
	if _, err := l.rand(b); err != nil {
		return "", Link{}, fmt.Errorf("make link: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	id, err := newKeyID(l.rand)
	if err != nil {
		return "", Link{}, err
	}
	now := l.now().UTC().Truncate(time.Second)
	sum := sha256.Sum256([]byte(secret))
	link := Link{ID: "link_" + id[len("key_"):], WorkerID: workerID, SHA256: hex.EncodeToString(sum[:]),
		CreatedBy: createdBy, CreatedAt: now, ExpiresAt: now.Add(life)}
	err = l.change(func(c *linkContents) error {
		c.Links = append(c.Links, link)
		return nil
	})
	if err != nil {
		return "", Link{}, err
	}
	return secret, link, nil
}

func checkLink(workerID, createdBy string, life time.Duration) error {
	if err := CheckOrg(workerID); err != nil {
		return fmt.Errorf("worker_id: %q is not a worker id: %w", workerID, ErrInvalid)
	}
	if err := CheckOrg(createdBy); err != nil {
		return fmt.Errorf("created_by: %w", err)
	}
	if life < time.Minute || life > MaxLinkLife {
		return fmt.Errorf("expires: %s: must be between 1 minute and %d days: %w", life, MaxLinkLife/(24*time.Hour), ErrInvalid)
	}
	return nil
}

// Revoke ends the worker's link with the id; revoking twice keeps the first revocation. A link of another
// worker is not found, so that a caller in scope of one worker cannot end another's. Errors: ErrNotFound
// (wrapped) and file errors.
func (l *Links) Revoke(workerID, id string) (Link, error) {
	var out Link
	err := l.change(func(c *linkContents) error {
		i := slices.IndexFunc(c.Links, func(k Link) bool { return k.ID == id && k.WorkerID == workerID })
		if i < 0 {
			return fmt.Errorf("link %q of worker %q: %w", id, workerID, ErrNotFound)
		}
		if c.Links[i].RevokedAt == nil {
			at := l.now().UTC().Truncate(time.Second)
			c.Links[i].RevokedAt = &at
		}
		out = c.Links[i]
		return nil
	})
	return out, err
}

// List returns the worker's links, revoked and expired ones too, oldest first.
func (l *Links) List(workerID string) ([]Link, error) {
	c, _, err := l.read()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(c.Links, func(k Link) bool { return k.WorkerID != workerID }), nil
}

// Open returns the live link whose secret is given. The secret's hash is looked up in a map, so the time taken
// does not depend on how close a guess came. Errors: ErrUnknownLink for a secret that is malformed, unknown,
// revoked or expired, and file errors (the links last read stay in use until the file can be read again).
func (l *Links) Open(secret string) (Link, error) {
	if len(secret) != base64.RawURLEncoding.EncodedLen(LinkSecretBytes) {
		return Link{}, ErrUnknownLink
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return Link{}, ErrUnknownLink
	}
	sum := sha256.Sum256([]byte(secret))
	byHash, err := l.current()
	link, ok := byHash[hex.EncodeToString(sum[:])]
	switch {
	case ok && link.Live(l.now()):
		return link, nil
	case err != nil:
		return Link{}, err
	}
	return Link{}, ErrUnknownLink
}

// current returns the links by hash, re-reading the file when it was replaced since the last read. If the
// file cannot be read, the links last read are returned with the error.
func (l *Links) current() (map[string]Link, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := os.Stat(l.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		l.byHash, l.stat = map[string]Link{}, nil
		return l.byHash, nil
	case err != nil:
		return l.byHash, fmt.Errorf("link file: %w", err)
	case l.stat != nil && os.SameFile(l.stat, st) && st.ModTime().Equal(l.stat.ModTime()) && st.Size() == l.stat.Size():
		return l.byHash, nil
	}
	c, st2, err := l.read()
	if err != nil {
		return l.byHash, err
	}
	l.byHash = make(map[string]Link, len(c.Links))
	for _, k := range c.Links {
		l.byHash[k.SHA256] = k
	}
	l.stat = st2
	return l.byHash, nil
}

// read parses the file and returns it with the FileInfo of what was read; a missing file is empty.
func (l *Links) read() (linkContents, os.FileInfo, error) {
	fh, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return linkContents{Version: formatVersion}, nil, nil
	}
	if err != nil {
		return linkContents{}, nil, fmt.Errorf("link file: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return linkContents{}, nil, fmt.Errorf("link file: %w", err)
	}
	var c linkContents
	dec := json.NewDecoder(fh)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return linkContents{}, nil, fmt.Errorf("link file %s: %w", l.path, err)
	}
	if c.Version != formatVersion {
		return linkContents{}, nil, fmt.Errorf("link file %s: format version %d, want %d", l.path, c.Version, formatVersion)
	}
	return c, st, nil
}

// change applies fn to the file's contents under the file lock and replaces the file atomically.
func (l *Links) change(fn func(*linkContents) error) error {
	return withLock(l.path, func() error {
		c, _, err := l.read()
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.Version = formatVersion
		if c.Links == nil {
			c.Links = []Link{}
		}
		return writeAtomic(l.path, c)
	})
}

// ParseLife reads how long a link lasts: a number of days such as "30d", or a Go duration such as "720h".
// Errors: ErrInvalid (wrapped), naming the value.
func ParseLife(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > int(MaxLinkLife/(24*time.Hour)) {
			return 0, fmt.Errorf("expires: %q: a whole number of days from 1 to %d: %w", s, MaxLinkLife/(24*time.Hour), ErrInvalid)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("expires: %q: days (30d) or a duration (720h): %w", s, ErrInvalid)
	}
	return d, nil
}
