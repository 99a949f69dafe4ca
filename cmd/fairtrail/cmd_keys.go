package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fairtrail/fairtrail/api/keys"
)

// keyFlags select the key file: --keys (default $FAIRTRAIL_KEYS), else keys.json in the data directory.
type keyFlags struct {
	keys *string
	data *string
}

// registerKeys adds --keys, and --data unless the command already has it (serve takes it from registerStore).
func registerKeys(fs *pflag.FlagSet, env environment, data *string) keyFlags {
	kf := keyFlags{keys: fs.String("keys", env.getenv("FAIRTRAIL_KEYS"),
		"API key file ($FAIRTRAIL_KEYS; default keys.json in the data directory)"), data: data}
	if data == nil {
		def := env.getenv("FAIRTRAIL_DATA")
		if def == "" {
			def = defaultData
		}
		kf.data = fs.String("data", def, "data directory whose keys.json is used ($FAIRTRAIL_DATA)")
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

// linksPath is the workers' access link file: links.json beside the key file (so in the data directory by
// default), where the same people keep the same kind of secret.
func (kf keyFlags) linksPath() string { return filepath.Join(filepath.Dir(kf.path()), "links.json") }

// roles are the roles a key may have, as keys.File accepts them.
var roles = []string{"admin", "employer", "agency", "buyer", "auditor", "metrics", "worker_organisation"}

// newKeysCmd manages the API keys: create (the key is printed once, on standard output alone, so scripts can
// capture it), list, revoke, and the grants that let an auditor read a buyer's data.
func newKeysCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create, list and revoke API keys; grant auditors and worker organisations a buyer's view",
		Example: `  fairtrail keys create --org ops --role admin
  fairtrail keys create --org aud-1 --role auditor && fairtrail keys grant --auditor aud-1 --buyer buyer-1
  fairtrail keys list`,
		Args: cobra.ArbitraryArgs,
		RunE: noSubcommand("keys", "a subcommand is required: create, list, revoke, grant or ungrant"),
	}
	for _, sub := range []func(environment) *cobra.Command{newKeysCreateCmd, newKeysListCmd, newKeysRevokeCmd} {
		cmd.AddCommand(sub(env))
	}
	cmd.AddCommand(newGrantCmd(env, "grant"), newGrantCmd(env, "ungrant"))
	return cmd
}

func newKeysCreateCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create a key; it is printed once, alone on standard output",
		Example: "  fairtrail keys create --org buyer-1 --role buyer",
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	org := cmd.Flags().String("org", "", "organisation id the key speaks for (required)")
	role := cmd.Flags().String("role", "", "role (required): "+strings.Join(roles, ", "))
	completeWith(cmd, "role", roles...)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		return createKey(kf.open(), *org, *role, env)
	}
	return cmd
}

func newKeysListCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List keys (never their secrets) and grants",
		Example: "  fairtrail keys list\n  fairtrail keys list --format json --keys /etc/fairtrail/keys.json",
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	format := formatFlag(cmd, "table", "json")
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		out, err := format()
		if err != nil {
			return err
		}
		return listKeys(kf.open(), out, env.stdout, tableWidth(env, *wide))
	}
	return cmd
}

func newKeysRevokeCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "revoke KEY_ID",
		Short:   "Revoke a key by its id (see keys list)",
		Example: "  fairtrail keys revoke key_3f9a1c2b7d4e",
		Args:    cobra.ExactArgs(1),
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		k, err := kf.open().Revoke(pos[0])
		if err != nil {
			return keyError(err)
		}
		fmt.Fprintf(env.stdout, "revoked %s (%s, %s) at %s\n", k.ID, k.Org, k.Role, when(*k.RevokedAt))
		return nil
	}
	return cmd
}

// newGrantCmd makes grant (an auditor or a worker organisation may read what a buyer reads, and record reports
// of that buyer's workers) or ungrant (it may no longer).
func newGrantCmd(env environment, verb string) *cobra.Command {
	short := "Let an auditor or a worker organisation read what a buyer reads"
	if verb == "ungrant" {
		short = "Withdraw an auditor's or a worker organisation's grant to read what a buyer reads"
	}
	cmd := &cobra.Command{
		Use:     verb,
		Short:   short,
		Example: "  fairtrail keys " + verb + " --auditor aud-1 --buyer buyer-1",
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	auditor := cmd.Flags().String("auditor", "", "auditor or worker organisation id (required)")
	buyer := cmd.Flags().String("buyer", "", "buyer organisation id (required)")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if err := noArgs(cmd, pos); err != nil {
			return err
		}
		if *auditor == "" || *buyer == "" {
			return usagef("keys %s: --auditor and --buyer are both required", verb)
		}
		return grant(kf.open(), verb, *auditor, *buyer, env.stdout)
	}
	return cmd
}

// open opens the key file.
func (kf keyFlags) open() *keys.File { return keys.Open(kf.path(), keys.Options{}) }

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

func listKeys(f *keys.File, format string, w io.Writer, width int) error {
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
	t := newTable("KEY ID", "ORG", "ROLE", "CREATED", "REVOKED").priority(1, 0, 1, 2)
	for _, k := range ks {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = whenShort(*k.RevokedAt)
		}
		t.add(k.ID, k.Org, k.Role, whenShort(k.CreatedAt), revoked)
	}
	if err := t.write(w, width); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nGrants (an auditor reads what the buyer reads):")
	t = newTable("AUDITOR", "BUYER", "GRANTED")
	for _, g := range gs {
		t.add(g.Auditor, g.Buyer, whenShort(g.CreatedAt))
	}
	return t.write(w, width)
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
