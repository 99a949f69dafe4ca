package kurrent

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// knownSettings are the connection-string settings the client understands (in lower case: it ignores case).
const knownSettings = "defaultdeadline discoveryinterval gossiptimeout keepaliveinterval keepalivetimeout " +
	"maxdiscoverattempts nodepreference tls tlscafile tlsverifycert usercertfile userkeyfile"

// ErrConnString is matched by the errors of a connection string that cannot be used.
var ErrConnString = errors.New("invalid KurrentDB connection string")

// schemes maps the schemes of a connection string to those the client v4 understands: kurrentdb:// and
// kurrentdb+discover:// (the form of KurrentDB's current documentation) mean what esdb:// and esdb+discover://
// mean.
var schemes = map[string]string{
	"esdb": "esdb", "esdb+discover": "esdb+discover", "kurrentdb": "esdb", "kurrentdb+discover": "esdb+discover",
}

// IsConnString reports whether s is meant as a KurrentDB connection string (by its scheme: kurrentdb://,
// kurrentdb+discover://, esdb:// or esdb+discover://, in any case) rather than, say, a directory.
func IsConnString(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	_, known := schemes[strings.ToLower(scheme)]
	return ok && known
}

// parseConnString checks a connection string and parses it with the client, returning the configuration and
// a description of the nodes for messages. Its errors never contain the password.
func parseConnString(s string) (*esdb.Configuration, string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConnString, fmt.Sprintf(format, args...))
	}
	scheme, rest, _ := strings.Cut(s, "://")
	clientScheme, known := schemes[strings.ToLower(scheme)]
	if !IsConnString(s) || !known {
		return nil, "", bad("it must start with kurrentdb://, kurrentdb+discover://, esdb:// or esdb+discover://")
	}
	userinfo, hosts, query := splitConnString(rest)
	if hosts == "" {
		return nil, "", bad("no host")
	}
	where := scheme + "://" + hosts
	values, err := url.ParseQuery(query)
	if err != nil {
		return nil, "", bad("settings after '?': %v", err)
	}
	for key, v := range values {
		k := strings.ToLower(key)
		if known := strings.Fields(knownSettings); !slices.Contains(known, k) {
			return nil, "", bad("unknown setting %q (known: %s)", key, strings.Join(known, ", "))
		}
		if len(v) != 1 {
			return nil, "", bad("setting %q given %d times", key, len(v))
		}
		if k == "defaultdeadline" {
			if n, err := strconv.Atoi(v[0]); err != nil || n < 1 {
				return nil, "", bad("defaultDeadline %q: a number of milliseconds >= 1", v[0])
			}
		}
	}
	conf, err := esdb.ParseConnectionString(clientScheme + "://" + rest)
	if err != nil {
		return nil, "", bad("%s", scrub(err.Error(), userinfo))
	}
	return conf, where, nil
}

// splitConnString splits what follows the scheme into user information, hosts and settings.
func splitConnString(rest string) (userinfo, hosts, query string) {
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		userinfo, rest = rest[:i], rest[i+1:]
	}
	return userinfo, strings.TrimSuffix(rest, "/"), query
}

// scrub removes the password of userinfo (as written, and URL-decoded) from a message.
func scrub(msg, userinfo string) string {
	_, pw, ok := strings.Cut(userinfo, ":")
	if !ok || pw == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, pw, "***")
	if dec, err := url.PathUnescape(pw); err == nil && dec != "" {
		msg = strings.ReplaceAll(msg, dec, "***")
	}
	return msg
}
