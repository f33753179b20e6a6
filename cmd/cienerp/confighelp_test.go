package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelpAndREADMENameEverySetting: every CIEN_* variable the
// configuration reads (app/*.go) is listed by --help and in the README's
// configuration table. Before, --help left out CIEN_WEBHOOK_ALLOW_PRIVATE,
// the setting a refused local receiver needs, and seven others.
func TestHelpAndREADMENameEverySetting(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../app/*.go")
	names := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(CIEN_[A-Z0-9_]+)"`).FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 30 {
		t.Fatalf("found only %d settings in app/: %v", len(names), names)
	}
	var table strings.Builder
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `CIEN_") {
			table.WriteString(line)
		}
	}
	for n := range names {
		if !regexp.MustCompile(`\b` + n + `\b`).MatchString(configHelp) {
			t.Errorf("--help does not list %s", n)
		}
		if !strings.Contains(table.String(), "`"+n+"`") {
			t.Errorf("the README's configuration table has no row naming %s", n)
		}
	}
}
