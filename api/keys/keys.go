// Package keys keeps the API keys of the organisations that use fairtrail's HTTP API, and the grants that let
// an auditor read what a buyer may read. Keys and grants live in one JSON file, written atomically (a
// temporary file, fsync, rename, fsync of the directory) under an exclusive lock, so the server can read it
// while the command line changes it. The file never holds a key: only its SHA-256 hash. Workers' access links
// (Links) are kept the same way, in a file of their own.
package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fairtrail/fairtrail/domain"
)

// Roles a key may have.
const (
	// RoleAdmin may do everything.
	RoleAdmin = "admin"
	// RoleEmployer records and reads the events of its own job orders and their workers.
	RoleEmployer = "employer"
	// RoleAgency records and reads the events of the job orders it is party to and their workers.
	RoleAgency = "agency"
	// RoleBuyer reads everything about the job orders that name it.
	RoleBuyer = "buyer"
	// RoleAuditor reads what the buyers that granted it access may read.
	RoleAuditor = "auditor"
	// RoleMetrics may only scrape /metrics (for Prometheus), which carries figures of every tenant.
	RoleMetrics = "metrics"
	// RoleWorkerOrganisation is a trade union, worker centre or migrant NGO (spec section 8): granted by a buyer
	// like an auditor, it reads the workers of that buyer's job orders and records their reports.
	RoleWorkerOrganisation = "worker_organisation"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleEmployer, RoleAgency, RoleBuyer, RoleAuditor, RoleMetrics, RoleWorkerOrganisation}

// Granted reports whether a role reads through buyers' grants: auditors and worker organisations.
func Granted(role string) bool { return role == RoleAuditor || role == RoleWorkerOrganisation }

// Errors callers branch on.
var (
	// ErrUnknownKey: the key presented is not one of the file's, or it was revoked.
	ErrUnknownKey = errors.New("unknown or revoked API key")
	// ErrNotFound: no key has the id given, or no grant matches.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: an organisation id or role is not acceptable.
	ErrInvalid = errors.New("invalid")
)

// Key is the record of an API key: never the key itself.
type Key struct {
	ID        string     `json:"id"`
	Org       string     `json:"org"`
	Role      string     `json:"role"`
	SHA256    string     `json:"sha256"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Grant lets an auditor or a worker organisation (named in Auditor, the field the file has always had) read what
// a buyer may read.
type Grant struct {
	Auditor   string    `json:"auditor"`
	Buyer     string    `json:"buyer"`
	CreatedAt time.Time `json:"created_at"`
}

// Identity is who a valid key speaks for.
type Identity struct {
	KeyID string
	Org   string
	Role  string
	// Buyers are the buyers whose data the key may read: its own organisation for a buyer, the granting buyers
	// for an auditor or a worker organisation, none for other roles.
	Buyers []string
}

// prefix starts every key, so a leaked key is recognisable (secret scanners, logs).
const prefix = "ft_"

// secretBytes is the entropy of a key.
const secretBytes = 32

// newSecret makes a key: "ft_" and 32 random bytes in unpadded base64url.
func newSecret(rnd func([]byte) (int, error)) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rnd(b); err != nil {
		return "", fmt.Errorf("make key: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is the stored form of a key. A key carries 256 random bits, so a fast hash is enough: a slow KDF
// (bcrypt, argon2) exists to make guessing low-entropy passwords expensive, and nobody can enumerate 2^256
// candidates however fast each is. It also keeps authentication to microseconds on every request.
func hashSecret(secret string) [sha256.Size]byte { return sha256.Sum256([]byte(secret)) }

// wellFormed reports whether s looks like a key, before any lookup.
func wellFormed(s string) bool {
	body, ok := strings.CutPrefix(s, prefix)
	if !ok || len(body) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(body)
	return err == nil
}

// newKeyID makes a key's public id, such as "key_9f86d081884c".
func newKeyID(rnd func([]byte) (int, error)) (string, error) {
	b := make([]byte, 6)
	if _, err := rnd(b); err != nil {
		return "", fmt.Errorf("make key id: %w", err)
	}
	return "key_" + hex.EncodeToString(b), nil
}

// match finds the live key whose hash is that of secret, comparing every stored hash in constant time so the
// time taken says nothing about which stored hash came close.
func match(ks []Key, secret string) (Key, bool) {
	sum := hashSecret(secret)
	want := hex.EncodeToString(sum[:])
	found := -1
	for i, k := range ks {
		if subtle.ConstantTimeCompare([]byte(k.SHA256), []byte(want)) == 1 && k.RevokedAt == nil {
			found = i
		}
	}
	if found < 0 {
		return Key{}, false
	}
	return ks[found], true
}

// identity builds who a key speaks for from the grants.
func identity(k Key, grants []Grant) Identity {
	id := Identity{KeyID: k.ID, Org: k.Org, Role: k.Role}
	switch k.Role {
	case RoleBuyer:
		id.Buyers = []string{k.Org}
	case RoleAuditor, RoleWorkerOrganisation:
		for _, g := range grants {
			if g.Auditor == k.Org && !slices.Contains(id.Buyers, g.Buyer) {
				id.Buyers = append(id.Buyers, g.Buyer)
			}
		}
		slices.Sort(id.Buyers)
	}
	return id
}

// CheckOrg reports what is wrong with an organisation id, as the event catalogue defines ids: 1-128 letters,
// digits and . _ - : @, starting with a letter or digit; and not one of the recorders that are not an
// organisation ("worker", "import", "interview:..."), which a key's events would pass themselves off as.
func CheckOrg(org string) error {
	if org == "" || len(org) > 128 {
		return fmt.Errorf("organisation id %q: must be 1-128 characters: %w", org, ErrInvalid)
	}
	if domain.ReservedRecorder(org) {
		return fmt.Errorf("organisation id %q: reserved for what the tracker records itself (the worker's own "+
			"link, imports, interviews): %w", org, ErrInvalid)
	}
	for i := 0; i < len(org); i++ {
		b := org[i]
		alnum := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("._-:@", rune(b))) {
			return fmt.Errorf("organisation id %q: letters, digits and . _ - : @ only, starting with a letter or digit: %w", org, ErrInvalid)
		}
	}
	return nil
}

// checkRole reports an unknown role.
func checkRole(role string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("role %q: one of %s: %w", role, strings.Join(Roles, ", "), ErrInvalid)
	}
	return nil
}

// randRead is crypto/rand's Read.
func randRead(b []byte) (int, error) { return rand.Read(b) }
