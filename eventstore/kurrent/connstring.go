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

// parseConnString checks a connection string and parses it with the client, returning the configuration and
// a description of the nodes for messages. Its errors never contain the password.
func parseConnString(s string) (*esdb.Configuration, string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConnString, fmt.Sprintf(format, args...))
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "esdb://") && !strings.HasPrefix(lower, "esdb+discover://") {
		return nil, "", bad("it must start with esdb:// or esdb+discover://")
	}
	rest := s[strings.Index(s, "://")+3:]
	userinfo, hosts, query := splitConnString(rest)
	if hosts == "" {
		return nil, "", bad("no host")
	}
	where := s[:strings.Index(s, "://")+3] + hosts
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
	conf, err := esdb.ParseConnectionString(s)
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
