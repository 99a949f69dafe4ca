package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// formatVersion is the version of the file's layout.
const formatVersion = 1

// contents is the file's JSON.
type contents struct {
	Version int     `json:"version"`
	Keys    []Key   `json:"keys"`
	Grants  []Grant `json:"grants"`
}

// File is a key file. Changes (Create, Revoke, Grant, Ungrant) take an exclusive lock on FILE.lock, read the
// file, change it and replace it atomically; Authenticate reloads it whenever it was replaced, so a running
// server sees new and revoked keys on its next request. A File is safe for concurrent use.
type File struct {
	path string
	now  func() time.Time
	rand func([]byte) (int, error)

	mu     sync.Mutex // guards cached and stat
	cached contents
	stat   os.FileInfo // of the file cached; nil when none was read
}

// Options tune a File; the zero value uses the system clock and crypto/rand.
type Options struct {
	Now  func() time.Time
	Rand func([]byte) (int, error)
}

// Open returns the key file at path. The file need not exist: it is created by the first change, and until
// then no key is valid.
func Open(path string, opts Options) *File {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = randRead
	}
	return &File{path: path, now: opts.Now, rand: opts.Rand}
}

// Path is the file's path.
func (f *File) Path() string { return f.path }

// Create makes a key for an organisation with a role and returns the key, to be shown once, and its record.
// Errors: ErrInvalid (wrapped) for a bad organisation id or role, and file errors.
func (f *File) Create(org, role string) (string, Key, error) {
	if err := CheckOrg(org); err != nil {
		return "", Key{}, err
	}
	if err := checkRole(role); err != nil {
		return "", Key{}, err
	}
	secret, err := newSecret(f.rand)
	if err != nil {
		return "", Key{}, err
	}
	id, err := newKeyID(f.rand)
	if err != nil {
		return "", Key{}, err
	}
	sum := hashSecret(secret)
	k := Key{ID: id, Org: org, Role: role, SHA256: fmt.Sprintf("%x", sum), CreatedAt: f.now().UTC().Truncate(time.Second)}
	err = f.change(func(c *contents) error {
		c.Keys = append(c.Keys, k)
		return nil
	})
	if err != nil {
		return "", Key{}, err
	}
	return secret, k, nil
}

// Revoke ends a key by its id; revoking a revoked key keeps the first revocation. Errors: ErrNotFound
// (wrapped) and file errors.
func (f *File) Revoke(id string) (Key, error) {
	var out Key
	err := f.change(func(c *contents) error {
		i := slices.IndexFunc(c.Keys, func(k Key) bool { return k.ID == id })
		if i < 0 {
			return fmt.Errorf("key %q: %w", id, ErrNotFound)
		}
		if c.Keys[i].RevokedAt == nil {
			at := f.now().UTC().Truncate(time.Second)
			c.Keys[i].RevokedAt = &at
		}
		out = c.Keys[i]
		return nil
	})
	return out, err
}

// Grant lets an auditor, or a worker organisation, read what a buyer may read (Grant.Auditor names either).
// The grantee must exist: some key (revoked or not) of that organisation has the auditor or
// worker_organisation role, so that a typo cannot grant a name nobody holds. Granting twice changes nothing.
// Errors: ErrInvalid (wrapped) for a bad organisation id, ErrNotFound (wrapped) for an organisation with no
// such key, and file errors.
func (f *File) Grant(auditor, buyer string) error {
	if err := CheckOrg(auditor); err != nil {
		return err
	}
	if err := CheckOrg(buyer); err != nil {
		return err
	}
	return f.change(func(c *contents) error {
		if !slices.ContainsFunc(c.Keys, func(k Key) bool { return k.Org == auditor && Granted(k.Role) }) {
			return fmt.Errorf("auditor %q: no key with the auditor role or the worker_organisation role for this organisation "+
				"(create one first): %w", auditor, ErrNotFound)
		}
		if slices.ContainsFunc(c.Grants, func(g Grant) bool { return g.Auditor == auditor && g.Buyer == buyer }) {
			return nil
		}
		c.Grants = append(c.Grants, Grant{Auditor: auditor, Buyer: buyer, CreatedAt: f.now().UTC().Truncate(time.Second)})
		return nil
	})
}

// Ungrant withdraws a grant. Errors: ErrNotFound (wrapped) when there is no such grant, and file errors.
func (f *File) Ungrant(auditor, buyer string) error {
	return f.change(func(c *contents) error {
		n := len(c.Grants)
		c.Grants = slices.DeleteFunc(c.Grants, func(g Grant) bool { return g.Auditor == auditor && g.Buyer == buyer })
		if len(c.Grants) == n {
			return fmt.Errorf("grant of buyer %q to auditor %q: %w", buyer, auditor, ErrNotFound)
		}
		return nil
	})
}

// List returns every key (revoked ones too) and every grant, as the file holds them now.
func (f *File) List() ([]Key, []Grant, error) {
	c, _, err := f.read()
	if err != nil {
		return nil, nil, err
	}
	return c.Keys, c.Grants, nil
}

// Authenticate returns who a key speaks for. Errors: ErrUnknownKey for a key that is malformed, unknown or
// revoked, and file errors (the file cannot be read or parsed; the keys last read stay in use until it can).
func (f *File) Authenticate(secret string) (Identity, error) {
	if !wellFormed(secret) {
		return Identity{}, ErrUnknownKey
	}
	c, err := f.current()
	k, ok := match(c.Keys, secret)
	if !ok {
		if err != nil {
			return Identity{}, err
		}
		return Identity{}, ErrUnknownKey
	}
	return identity(k, c.Grants), nil
}

// current returns the contents, re-reading the file when it was replaced since the last read. If the file
// cannot be read, the last contents read are returned with the error.
func (f *File) current() (contents, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, err := os.Stat(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		f.cached, f.stat = contents{}, nil
		return f.cached, nil
	case err != nil:
		return f.cached, fmt.Errorf("key file: %w", err)
	case f.stat != nil && os.SameFile(f.stat, st) && st.ModTime().Equal(f.stat.ModTime()) && st.Size() == f.stat.Size():
		return f.cached, nil
	}
	c, st2, err := f.read()
	if err != nil {
		return f.cached, err
	}
	f.cached, f.stat = c, st2
	return c, nil
}

// read parses the file and returns it with the FileInfo of what was read; a missing file is empty.
func (f *File) read() (contents, os.FileInfo, error) {
	fh, err := os.Open(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return contents{Version: formatVersion}, nil, nil
	}
	if err != nil {
		return contents{}, nil, fmt.Errorf("key file: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return contents{}, nil, fmt.Errorf("key file: %w", err)
	}
	var c contents
	dec := json.NewDecoder(fh)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return contents{}, nil, fmt.Errorf("key file %s: %w", f.path, err)
	}
	if c.Version != formatVersion {
		return contents{}, nil, fmt.Errorf("key file %s: format version %d, want %d", f.path, c.Version, formatVersion)
	}
	return c, st, nil
}

// change applies fn to the file's contents under the file lock and replaces the file atomically.
func (f *File) change(fn func(*contents) error) error {
	return withLock(f.path, func() error {
		c, _, err := f.read()
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.Version = formatVersion
		if c.Keys == nil {
			c.Keys = []Key{}
		}
		if c.Grants == nil {
			c.Grants = []Grant{}
		}
		return writeAtomic(f.path, c)
	})
}

// withLock runs fn holding an exclusive lock on path+".lock", creating path's directory first, so that two
// processes changing the same file never lose each other's change.
func withLock(path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("%s: directory: %w", filepath.Base(path), err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%s: lock: %w", filepath.Base(path), err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("%s: lock: %w", filepath.Base(path), err)
	}
	return fn()
}

// writeAtomic replaces path with the JSON of c: a temporary file beside it, synced, renamed over it, and the
// directory synced, so a crash leaves the old file or the new one, never a mix.
func writeAtomic(path string, c any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("%s: sync directory: %w", filepath.Base(path), err)
	}
	return nil
}
