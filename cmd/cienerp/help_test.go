package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the binary in dir and returns its output and exit code.
func runCLI(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir, cmd.Env = dir, cleanEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatal(err)
	return "", 0
}

// TestEveryCommandHasHelp: every command and subcommand prints its usage
// and its flags with -h and --help (exit 0), groups list their
// subcommands, and bad command lines say what to type (exit 2). Before,
// "tenant create --help" printed "flag: help requested" and exited 1, and
// "cienerp tenant" was an unknown command.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range commands {
		for _, h := range []string{"-h", "--help"} {
			args := append(strings.Fields(c.name), h)
			out, code := runCLI(t, dir, args...)
			if code != 0 || !strings.Contains(out, "usage: cienerp "+c.name) || !strings.Contains(out, c.summary) {
				t.Errorf("cienerp %s: exit %d\n%s", strings.Join(args, " "), code, out)
			}
			fs := strings.Fields(c.synopsis)
			for _, f := range fs {
				if name := strings.Trim(f, "[]"); strings.HasPrefix(name, "-") && !strings.Contains(out, "  "+name) {
					t.Errorf("cienerp %s: flag %s is not listed\n%s", c.name, name, out)
				}
			}
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "tenant create"},
		{[]string{"help"}, 0, "key create"},
		{[]string{"tenant", "-h"}, 0, "tenant update"},
		{[]string{"key", "--help"}, 0, "key create"},
		{[]string{"tenant"}, 2, "tenant needs a subcommand"},
		{[]string{}, 2, "no command given"},
		{[]string{"tenant", "delete"}, 2, `unknown command "tenant delete"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"key", "create", "-colour", "red"}, 2, "-role"}, // the flag list comes with the error
		{[]string{"key", "create", "-colour", "red"}, 2, "not defined: -colour"},
		{[]string{"tenant", "create", "acme"}, 2, "give values as flags"},
	} {
		out, code := runCLI(t, dir, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("cienerp %s: exit %d, want %d with %q\n%s", strings.Join(tc.args, " "), code, tc.code, tc.want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Error("asking for help created a data directory")
	}
}

// TestCLISaysWhichDatabase: commands name the database they open, refuse
// to create an empty one where one was expected, and ask for missing
// flags in flag words. Before, "storage check" on a wrong data dir said
// "storage and database agree" on a fresh empty database.
func TestCLISaysWhichDatabase(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	out, code := runCLI(t, empty, "storage", "check")
	if code != 1 || !strings.Contains(out, "no database at data/cienerp.db") || strings.Contains(out, "agree") {
		t.Errorf("storage check without a database: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(empty, "data", "cienerp.db")); err == nil {
		t.Error("storage check created a database")
	}
	dir := t.TempDir()
	out, code = runCLI(t, dir, "migrate")
	if code != 0 || !strings.Contains(out, "database: SQLite data/cienerp.db") {
		t.Errorf("migrate: exit %d\n%s", code, out)
	}
	cli(t, dir, "tenant", "create", "-name", "Acme", "-slug", "acme")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"key", "create", "-tenant", "acme"}, "give -role, e.g. -role it-agent"},
		{[]string{"key", "create", "-role", "owner"}, "give -tenant, e.g. -tenant demo"},
		{[]string{"user", "create", "-tenant", "acme", "-role", "viewer"}, "give -email"},
		{[]string{"tenant", "create", "-slug", "x"}, "give -name"},
		{[]string{"key", "create", "-tenant", "acme", "-role", "owner", "-env", "prod"}, "-env must be sandbox or live"},
	} {
		out, code := runCLI(t, dir, tc.args...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("cienerp %s: exit %d, want %q\n%s", strings.Join(tc.args, " "), code, tc.want, out)
		}
	}
}
