package kurrent

import (
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestParseConnString(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		where string                           // "" when it must be refused
		ok    func(c *esdb.Configuration) bool // what the client must have been given
	}{
		{"one insecure node", "esdb://127.0.0.1:2113?tls=false", "esdb://127.0.0.1:2113",
			func(c *esdb.Configuration) bool { return c.DisableTLS && c.Address == "127.0.0.1:2113" }},
		{"settings in any case, TLS and credentials", "esdb://admin:changeit@node:2113?TLS=true&tlsVerifyCert=false&NodePreference=follower",
			"esdb://node:2113", func(c *esdb.Configuration) bool {
				return !c.DisableTLS && c.SkipCertificateVerification && c.Username == "admin" && c.Password == "changeit" &&
					c.NodePreference == esdb.NodePreferenceFollower
			}},
		{"cluster gossip seeds", "esdb://a:2113,b:2113,c:2113?tls=false", "esdb://a:2113,b:2113,c:2113",
			func(c *esdb.Configuration) bool { return len(c.GossipSeeds) == 3 }},
		{"DNS discovery", "esdb+discover://cluster.example.org:2113", "esdb+discover://cluster.example.org:2113",
			func(c *esdb.Configuration) bool { return c.DnsDiscover && !c.DisableTLS }},
		{"the kurrentdb scheme", "kurrentdb://admin:changeit@127.0.0.1:2113?tls=false", "kurrentdb://127.0.0.1:2113",
			func(c *esdb.Configuration) bool {
				return c.DisableTLS && c.Username == "admin" && c.Address == "127.0.0.1:2113"
			}},
		{"the kurrentdb scheme in capitals, cluster seeds", "KurrentDB://a:2113,b:2113?tls=false", "KurrentDB://a:2113,b:2113",
			func(c *esdb.Configuration) bool { return len(c.GossipSeeds) == 2 }},
		{"kurrentdb DNS discovery", "kurrentdb+discover://cluster.example.org:2113", "kurrentdb+discover://cluster.example.org:2113",
			func(c *esdb.Configuration) bool { return c.DnsDiscover && !c.DisableTLS }},
		{"a scheme that only looks like one", "kurrent://node:2113", "", nil},
		{"a trailing slash", "esdb://node:2113/?tls=false", "esdb://node:2113", nil},
		{"another scheme", "http://node:2113", "", nil},
		{"no host", "esdb://?tls=false", "", nil},
		{"an unknown setting", "esdb://node?tlsverify=false", "", nil},
		{"a repeated setting", "esdb://node?tls=false&tls=true", "", nil},
		{"a bad boolean", "esdb://node?tls=maybe", "", nil},
		{"a path", "esdb://node:2113/db", "", nil},
		{"a bad query", "esdb://node?tls=%zz", "", nil},
		{"a missing CA file", "esdb://node?tlsCAFile=/nonexistent/ca.pem", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conf, where, err := parseConnString(tc.in)
			if tc.where == "" {
				if err == nil {
					t.Fatalf("accepted %q", tc.in)
				}
				return
			}
			if err != nil || where != tc.where {
				t.Fatalf("where %q, err %v; want %q", where, err, tc.where)
			}
			if tc.ok != nil && !tc.ok(conf) {
				t.Fatalf("configuration %+v", conf)
			}
		})
	}
}

// FuzzParseConnString: the connection string comes from a flag or the environment. Parsing never panics and
// an error never shows the password.
//
//	go test ./eventstore/kurrent -run '^$' -fuzz FuzzParseConnString -fuzztime 60s
func FuzzParseConnString(f *testing.F) {
	for _, s := range []string{"esdb://127.0.0.1:2113?tls=false", "esdb://u:p4ss@a:1,b:2?tls=true", "kurrentdb://u:p4ss@h",
		"esdb+discover://u:p%40ss@host", "esdb://u:pw@h:99999", "esdb://u:pw@[::1]:2113", "esdb://:pw@h"} {
		f.Add(s, "p4ss")
	}
	f.Fuzz(func(t *testing.T, s, password string) {
		if len(password) < 4 || strings.ContainsAny(password, "@/?#:%,") {
			return
		}
		in := strings.Replace(s, "://", "://user:"+password+"@", 1)
		if strings.Count(in, "@") != 1 || strings.Count(in, password) != 1 {
			return // the password must be told apart from the rest
		}
		_, where, err := parseConnString(in)
		if err != nil && strings.Contains(err.Error(), password) {
			t.Fatalf("error shows the password: %v", err)
		}
		if strings.Contains(where, password) {
			t.Fatalf("description shows the password: %q", where)
		}
	})
}
