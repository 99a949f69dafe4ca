package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/api/workerlink"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/eventstore"
)

// linkCreator is who a link made on the command line is recorded as made by: whoever runs the command holds
// the data directory, as an admin key does.
const linkCreator = "operator"

// newWorkersCmd manages what workers themselves use: their access links.
func newWorkersCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workers",
		Short: "Make, list and revoke workers' access links to their own record",
		Example: `  fairtrail workers link w-00042 --public-url https://fairtrail.example.org --qr w-00042.png
  fairtrail workers links w-00042
  fairtrail workers unlink w-00042 link_3f9a1c2b7d4e`,
		Args: cobra.ArbitraryArgs,
		RunE: noSubcommand("workers", "a subcommand is required: link, links or unlink"),
	}
	cmd.AddCommand(newWorkersLinkCmd(env), newWorkersLinksCmd(env), newWorkersUnlinkCmd(env))
	return cmd
}

func newWorkersLinkCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "link WORKER_ID",
		Short: "Make an access link to the worker's own page; its URL is printed once, alone on standard output",
		Long: `Make an access link to the worker's own page (their record in their language, and a form to report a
problem). The link carries a random secret of 160 bits; links.json beside the key file keeps only its SHA-256.
The URL is printed once, alone on standard output; --qr writes its QR code (PNG, or SVG for a .svg name) to
print on the worker's copy of the contract. The worker must have events in the store.`,
		Example: "  fairtrail workers link w-00042 --expires 365d --public-url https://fairtrail.example.org --qr w-00042.svg",
		Args:    cobra.ExactArgs(1),
	}
	fs := cmd.Flags()
	sf := registerStore(fs, env)
	kf := registerKeys(fs, env, sf.data)
	expires := fs.String("expires", "365d", "how long the link works: days (30d) or a duration (720h); at most 1825d")
	publicURL := fs.String("public-url", env.getenv("FAIRTRAIL_PUBLIC_URL"),
		"base URL of the server the worker opens, as serve --public-url ($FAIRTRAIL_PUBLIC_URL; default http://localhost:8080)")
	qrFile := fs.String("qr", "", "write the link's QR code to this file: .svg for SVG, anything else PNG")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		life, err := keys.ParseLife(*expires)
		if err != nil {
			return usagef("workers link: --expires: %v", err)
		}
		base := *publicURL
		if base == "" {
			base = "http://localhost:8080"
		}
		if _, err := workerlink.URL(base, "x"); err != nil {
			return usagef("workers link: --public-url: %v", err)
		}
		if err := workerExists(cmd.Context(), sf, pos[0]); err != nil {
			return err
		}
		return makeLink(keys.OpenLinks(kf.linksPath(), keys.Options{}), pos[0], base, *qrFile, life, env)
	}
	return cmd
}

// workerExists checks that the store holds events of the worker, so that a typo does not make a link that
// opens nothing.
func workerExists(ctx context.Context, sf storeFlags, id string) error {
	if keys.CheckOrg(id) != nil {
		return usagef("workers link: %q is not a worker id (1-128 letters, digits and . _ - : @)", id)
	}
	store, err := sf.open(true)
	if err != nil {
		return err
	}
	defer store.Close()
	for _, err := range store.ReadStream(ctx, domain.WorkerStream(id), 0) {
		if errors.Is(err, eventstore.ErrNotFound) {
			break
		}
		if err != nil {
			return fmt.Errorf("read worker %s: %w", id, err)
		}
		return nil
	}
	return failedError{fmt.Sprintf("no worker %s in %s: a link opens the record of a worker the store holds", id, sf)}
}

// makeLink makes the link, prints its URL alone on standard output and writes its QR code.
func makeLink(ls *keys.Links, worker, base, qrFile string, life time.Duration, env environment) error {
	secret, l, err := ls.Create(worker, linkCreator, life)
	if err != nil {
		return keyError(err)
	}
	u, err := workerlink.URL(base, secret)
	if err != nil {
		return err
	}
	if qrFile != "" {
		if err := writeQR(qrFile, u); err != nil {
			return err
		}
	}
	fmt.Fprintln(env.stdout, u)
	fmt.Fprintf(env.stderr, "made %s for worker %s in %s, working until %s; the link above is shown once: print it now\n",
		l.ID, worker, ls.Path(), when(l.ExpiresAt))
	if qrFile != "" {
		fmt.Fprintf(env.stderr, "its QR code is in %s\n", qrFile)
	}
	return nil
}

func newWorkersLinksCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "links WORKER_ID",
		Short:   "List the worker's access links (never their secrets), revoked and expired ones too",
		Example: "  fairtrail workers links w-00042 --format json",
		Args:    cobra.ExactArgs(1),
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	format := formatFlag(cmd, "table", "json")
	wide := wideFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		out, err := format()
		if err != nil {
			return err
		}
		ls, err := keys.OpenLinks(kf.linksPath(), keys.Options{}).List(pos[0])
		if err != nil {
			return err
		}
		return listLinks(ls, out, env.stdout, tableWidth(env, *wide))
	}
	return cmd
}

// linkRow is a link as workers links lists it: never its hash.
type linkRow struct {
	ID        string     `json:"id"`
	WorkerID  string     `json:"worker_id"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func listLinks(ls []keys.Link, format string, w io.Writer, width int) error {
	rows := make([]linkRow, len(ls))
	for i, l := range ls {
		rows[i] = linkRow{ID: l.ID, WorkerID: l.WorkerID, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt,
			ExpiresAt: l.ExpiresAt, RevokedAt: l.RevokedAt}
	}
	if format == "json" {
		return writeJSON(w, struct {
			Links []linkRow `json:"links"`
		}{rows})
	}
	t := newTable("LINK ID", "CREATED BY", "CREATED", "EXPIRES", "REVOKED")
	for _, l := range rows {
		revoked := "-"
		if l.RevokedAt != nil {
			revoked = whenShort(*l.RevokedAt)
		}
		t.add(l.ID, l.CreatedBy, whenShort(l.CreatedAt), whenShort(l.ExpiresAt), revoked)
	}
	return t.write(w, width)
}

func newWorkersUnlinkCmd(env environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "unlink WORKER_ID LINK_ID",
		Short:   "Revoke one of the worker's access links (see workers links)",
		Example: "  fairtrail workers unlink w-00042 link_3f9a1c2b7d4e",
		Args:    cobra.ExactArgs(2),
	}
	kf := registerKeys(cmd.Flags(), env, nil)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		l, err := keys.OpenLinks(kf.linksPath(), keys.Options{}).Revoke(pos[0], pos[1])
		if err != nil {
			return keyError(err)
		}
		fmt.Fprintf(env.stdout, "revoked %s of worker %s at %s\n", l.ID, l.WorkerID, when(*l.RevokedAt))
		return nil
	}
	return cmd
}

// writeQR writes the link's QR code to path: SVG for a .svg name, PNG otherwise.
func writeQR(path, link string) error {
	var b []byte
	var err error
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		b, err = workerlink.SVG(link)
	} else {
		b, err = workerlink.PNG(link)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write the QR code: %w", err)
	}
	return nil
}
