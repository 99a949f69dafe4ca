package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// leafCommands lists the command paths (without "fairtrail") of every runnable command under root.
func leafCommands(root *cobra.Command) [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			p := append(append([]string{}, path...), sub.Name())
			out = append(out, p)
			walk(sub, p)
		}
	}
	walk(root, nil)
	return out
}

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	started := false
	root := newRoot(environment{getenv: func(string) string { return "" }}, &started)
	for _, path := range leafCommands(root) {
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			code, out, errOut := cli(t, "", append(path, "--help")...)
			if code != 0 || errOut != "" || !strings.Contains(out, "Usage:") || !strings.Contains(out, "Examples:") {
				t.Fatalf("exit %d, stderr %q, help without usage or examples:\n%s", code, errOut, out)
			}
			c, _, err := root.Find(path)
			if err != nil {
				t.Fatal(err)
			}
			c.Flags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && (strings.TrimSpace(f.Usage) == "" || !strings.Contains(out, "--"+f.Name)) {
					t.Errorf("flag --%s is not described in the help", f.Name)
				}
				// pflag takes a back-quoted word of a usage as the flag's value name ("--currency fairtrail
				// rates import"): quote commands in usages with plain quotes instead.
				if strings.Contains(f.Usage, "`") {
					t.Errorf("flag --%s: back quotes in its usage become the value's name in the help: %q", f.Name, f.Usage)
				}
			})
		})
	}
}

func TestUsageErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want string // in the line
	}{
		{"misspelt command suggests the right one", []string{"flgs"}, "did you mean flags?"},
		{"misspelt keys subcommand", []string{"keys", "creat"}, "did you mean create?"},
		{"unknown flag names the command's help", []string{"flags", "--colour"}, "see 'fairtrail flags --help'"},
		{"missing argument", []string{"history", "worker"}, "accepts 1 arg"},
		{"bad value", []string{"audit", "--by", "country"}, `--by "country"`},
		{"no command", nil, "no command given"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := cli(t, "", tc.args...)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			last := lines[len(lines)-1]
			if code != 2 || !strings.Contains(last, tc.want) || (tc.args != nil && len(lines) != 1) {
				t.Fatalf("exit %d, want 2 and one line with %q; stderr:\n%s", code, tc.want, errOut)
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := cli(t, "", "completion", shell)
			if code != 0 || !strings.Contains(out, "fairtrail") {
				t.Fatalf("exit %d, %d bytes, stderr %q", code, len(out), errOut)
			}
		})
	}
	// The values of --format are completed.
	code, out, _ := cli(t, "", "__complete", "flags", "--format", "")
	if code != 0 || !strings.Contains(out, "csv") {
		t.Fatalf("completion of --format: exit %d, %q", code, out)
	}
}
