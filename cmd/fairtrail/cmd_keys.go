package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fairtrail/fairtrail/api/keys"
)

// keyFlags select the key file: --keys (default $FAIRTRAIL_KEYS), else keys.json in the data directory.
type keyFlags struct {
	keys *string
	data *string
}

// registerKeys adds --keys, and --data unless the command already has it (serve takes it from registerStore).
func registerKeys(fs *flag.FlagSet, env environment, data *string) keyFlags {
	kf := keyFlags{keys: fs.String("keys", env.getenv("FAIRTRAIL_KEYS"),
		"API key file (default $FAIRTRAIL_KEYS, else keys.json in the data directory)"), data: data}
	if data == nil {
		def := env.getenv("FAIRTRAIL_DATA")
		if def == "" {
			def = defaultData
		}
		kf.data = fs.String("data", def, "data directory (default $FAIRTRAIL_DATA or "+defaultData+")")
	}
	return kf
}

// path is the key file's path.
func (kf keyFlags) path() string {
	if *kf.keys != "" {
		return *kf.keys
	}
	return filepath.Join(*kf.data, "keys.json")
}

const keysUsage = "keys: usage: fairtrail keys create --org ID --role ROLE | list | revoke KEY_ID | " +
	"grant --auditor ID --buyer ID | ungrant --auditor ID --buyer ID"

// keyArgs are the flags and arguments of a keys subcommand.
type keyArgs struct {
	sub, org, role, auditor, buyer string
	format                         func() (string, error)
	pos                            []string
}

// runKeys manages the API keys: create (the key is printed once, on standard output alone, so scripts can
// capture it), list, revoke, and the grants that let an auditor read a buyer's data.
func runKeys(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		return usagef("%s", keysUsage)
	}
	ka := keyArgs{sub: args[0]}
	fs := newFlagSet("keys " + ka.sub)
	kf := registerKeys(fs, env, nil)
	fs.StringVar(&ka.org, "org", "", "organisation id the key speaks for")
	fs.StringVar(&ka.role, "role", "", "role: admin, employer, agency, buyer, auditor or metrics")
	fs.StringVar(&ka.auditor, "auditor", "", "auditor organisation id")
	fs.StringVar(&ka.buyer, "buyer", "", "buyer organisation id")
	ka.format = formatFlag(fs, "table", "json")
	var err error
	if ka.pos, err = parse(fs, args[1:]); err != nil {
		return err
	}
	return keysCommand(keys.Open(kf.path(), keys.Options{}), ka, env)
}

func keysCommand(f *keys.File, ka keyArgs, env environment) error {
	switch ka.sub {
	case "create":
		if err := noArgs("keys create", ka.pos); err != nil {
			return err
		}
		return createKey(f, ka.org, ka.role, env)
	case "list":
		out, err := ka.format()
		if err != nil {
			return err
		}
		return listKeys(f, out, env.stdout)
	case "revoke":
		if len(ka.pos) != 1 {
			return usagef("keys revoke: usage: fairtrail keys revoke KEY_ID")
		}
		k, err := f.Revoke(ka.pos[0])
		if err != nil {
			return keyError(err)
		}
		fmt.Fprintf(env.stdout, "revoked %s (%s, %s) at %s\n", k.ID, k.Org, k.Role, when(*k.RevokedAt))
		return nil
	case "grant", "ungrant":
		if ka.auditor == "" || ka.buyer == "" || len(ka.pos) > 0 {
			return usagef("keys %s: usage: fairtrail keys %s --auditor ID --buyer ID", ka.sub, ka.sub)
		}
		return grant(f, ka.sub, ka.auditor, ka.buyer, env.stdout)
	}
	return usagef("%s", keysUsage)
}

func createKey(f *keys.File, org, role string, env environment) error {
	if org == "" || role == "" {
		return usagef("keys create: --org and --role are required")
	}
	secret, k, err := f.Create(org, role)
	if err != nil {
		return keyError(err)
	}
	fmt.Fprintln(env.stdout, secret)
	fmt.Fprintf(env.stderr, "created %s for %s with role %s in %s; the key above is shown once: store it now\n",
		k.ID, k.Org, k.Role, f.Path())
	return nil
}

func listKeys(f *keys.File, format string, w io.Writer) error {
	ks, gs, err := f.List()
	if err != nil {
		return err
	}
	if format == "json" {
		for i := range ks {
			ks[i].SHA256 = "" // hashes stay in the file
		}
		return writeJSON(w, struct {
			Keys   []keys.Key   `json:"keys"`
			Grants []keys.Grant `json:"grants"`
		}{ks, gs})
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "KEY ID\tORG\tROLE\tCREATED\tREVOKED")
	for _, k := range ks {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = when(*k.RevokedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Org, k.Role, when(k.CreatedAt), revoked)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nGrants (an auditor reads what the buyer reads):")
	tw = newTable(w)
	fmt.Fprintln(tw, "AUDITOR\tBUYER\tGRANTED")
	for _, g := range gs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Auditor, g.Buyer, when(g.CreatedAt))
	}
	return tw.Flush()
}

func grant(f *keys.File, verb, auditor, buyer string, w io.Writer) error {
	if verb == "grant" {
		if err := f.Grant(auditor, buyer); err != nil {
			return keyError(err)
		}
		fmt.Fprintf(w, "auditor %s may now read what buyer %s reads\n", auditor, buyer)
		return nil
	}
	if err := f.Ungrant(auditor, buyer); err != nil {
		return keyError(err)
	}
	fmt.Fprintf(w, "auditor %s may no longer read what buyer %s reads\n", auditor, buyer)
	return nil
}

// keyError makes a bad organisation or role a usage error and a missing key or grant a failed check.
func keyError(err error) error {
	switch {
	case errors.Is(err, keys.ErrInvalid):
		return usagef("keys: %v", err)
	case errors.Is(err, keys.ErrNotFound):
		return failedError{err.Error()}
	}
	return err
}
