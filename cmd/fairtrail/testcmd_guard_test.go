package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// testCommand is the repository's test command, relative to this package's directory.
const testCommand = "../../ops/test"

// plainPackages reads the packages that the test command runs without -race: the words of its plain=( ... )
// list, comments dropped.
func plainPackages(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(testCommand)
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)\nplain=\((.*?)\n\)`).FindSubmatch(src)
	if list == nil {
		t.Fatalf("%s: no plain=( ... ) list of packages", testCommand)
	}
	var pkgs []string
	for line := range strings.Lines(string(list[1])) {
		line, _, _ = strings.Cut(line, "#")
		pkgs = append(pkgs, strings.Fields(line)...)
	}
	return pkgs
}

// concurrency names what in dir's non-test Go files (of every build tag) runs or guards goroutines: a go
// statement, or an import of sync or sync/atomic. It is empty when there is none.
func concurrency(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s: no Go files", dir)
	}
	var found []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "sync" || p == "sync/atomic" {
				found = append(found, fset.Position(imp.Pos()).String()+": imports "+p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				found = append(found, fset.Position(g.Pos()).String()+": go statement")
			}
			return true
		})
	}
	return found
}

// TestPlainPackagesHaveNoConcurrency holds ops/test's list of the packages it runs without the race detector to
// its reason: their code starts no goroutine and shares no memory between goroutines. A package that gains a go
// statement or a lock must leave the list, and so run under -race again.
func TestPlainPackagesHaveNoConcurrency(t *testing.T) {
	t.Parallel()
	pkgs := plainPackages(t)
	if len(pkgs) == 0 {
		t.Fatalf("%s lists no packages to run without -race", testCommand)
	}
	for _, p := range pkgs {
		if !strings.HasPrefix(p, "./") {
			t.Errorf("%s: %q is not a package directory from the repository's root", testCommand, p)
			continue
		}
		if found := concurrency(t, filepath.Join("../..", p)); len(found) > 0 {
			t.Errorf("%s runs %s without -race, but it has concurrency: %v", testCommand, p, found)
		}
	}
}

// TestConcurrencyIsFound keeps the check above able to fail: it finds the goroutines and locks of packages known
// to have them.
func TestConcurrencyIsFound(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"../../projections", "../../eventstore/embedded", "../../api/keys"} {
		if found := concurrency(t, dir); len(found) == 0 {
			t.Errorf("%s: no concurrency found; it runs goroutines or guards memory with sync", dir)
		}
	}
}

// plainTests reads the tests that the test command runs without -race in packages it otherwise runs under it:
// the PACKAGE:TEST words of its plain_tests=( ... ) list, comments dropped.
func plainTests(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(testCommand)
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)\nplain_tests=\((.*?)\n\)`).FindSubmatch(src)
	if list == nil {
		t.Fatalf("%s: no plain_tests=( ... ) list", testCommand)
	}
	var tests []string
	for line := range strings.Lines(string(list[1])) {
		line, _, _ = strings.Cut(line, "#")
		tests = append(tests, strings.Fields(line)...)
	}
	return tests
}

// testDeclarations returns, for every function that a test file of the repository declares, the directories
// (from the repository's root) of the files that declare it. The repository is read once: one walk for each
// listed name cost 4 CPU seconds under -race.
func testDeclarations(t *testing.T) map[string][]string {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func (\w+)\(`)
	dirs := map[string][]string{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel("../..", filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(src, -1) {
			dirs[string(m[1])] = append(dirs[string(m[1])], "./"+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestPlainTestsRunOnce holds ops/test's list of single tests run without the race detector to what the command
// does with it: the race run skips each name in every package, so each must name one test of the repository,
// in the package the plain run runs it in; otherwise a test of the same name elsewhere would run nowhere, or
// the listed one twice.
func TestPlainTestsRunOnce(t *testing.T) {
	t.Parallel()
	tests := plainTests(t)
	if len(tests) == 0 {
		t.Skipf("%s lists no single tests to run without -race", testCommand)
	}
	declared := testDeclarations(t)
	for _, entry := range tests {
		pkg, name, ok := strings.Cut(entry, ":")
		if !ok || !strings.HasPrefix(pkg, "./") || !regexp.MustCompile(`^(Test|Fuzz)\w+$`).MatchString(name) {
			t.Errorf("%s: %q is not ./PACKAGE:TestName (or FuzzName)", testCommand, entry)
			continue
		}
		if dirs := declared[name]; len(dirs) != 1 || dirs[0] != pkg {
			t.Errorf("%s runs %s of %s without -race, but the repository declares it in %v", testCommand, name, pkg, dirs)
		}
	}
}
