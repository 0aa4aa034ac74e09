package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSubcommandsTable: the names that select a command without building
// the others are that command's name and aliases.
func TestSubcommandsTable(t *testing.T) {
	t.Parallel()
	env := &Env{Getenv: func(string) (string, bool) { return "", false }}
	for _, sc := range subcommands {
		cmd := sc.build(env)
		if want := append([]string{cmd.Name()}, cmd.Aliases...); !slices.Equal(sc.names, want) {
			t.Errorf("subcommands names %q, the command says %q", sc.names, want)
		}
	}
}

// TestPartialTreeBehavesAsWhole: a run that builds only the command it
// names prints, and exits with, what the whole tree gives.
func TestPartialTreeBehavesAsWhole(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "none")
	for _, args := range [][]string{
		{"--version"}, {"-v", "--version"}, {"--version", "--help"}, {"--version", "-h"}, {"--version=false"},
		{}, {"--help"}, {"--", "show"}, {"--version", "extra"}, {"nosuch"}, {"shwo"}, {"--no-such-flag"},
		{"help"}, {"help", "show"}, {"completion", "bash"}, {"__complete", "sh"},
		{"show", "--help"}, {"promote", "--help"}, {"-r", missing, "stages", "--help"}, {"--repo=" + missing, "history", "-h"},
		{"-r", missing, "show"}, {"-r", missing, "check-ref", "a@v0.0.1", "--json"}, {"--timeout", "1s", "-r", missing, "describe", "a"},
		{"show", "--no-such-flag"}, {"ci", "github", "--help"}, {"hook", "--help"}, {"version", "--json"}, {"--timeout", "abc", "show"},
		{"-r"}, {"--repo"},
	} {
		run := func(whole bool) (int, string, string) {
			var out, errOut bytes.Buffer
			env := &Env{Out: &out, ErrOut: &errOut, Now: time.Now, Getenv: func(string) (string, bool) { return "", false }}
			root := newRootFor(env, args)
			if whole {
				root = NewRootCmd(env)
			}
			code := execute(context.Background(), env, root, args)
			return code, out.String(), errOut.String()
		}
		code, out, errOut := run(false)
		wantCode, wantOut, wantErr := run(true)
		if code != wantCode || out != wantOut || errOut != wantErr {
			t.Errorf("gto %s: the partial tree gives exit %d, stdout %q, stderr %q; the whole tree exit %d, stdout %q, stderr %q",
				strings.Join(args, " "), code, out, errOut, wantCode, wantOut, wantErr)
		}
	}
}

// TestCommandName finds the command's name as cobra does, past the root's
// flags and their values.
func TestCommandName(t *testing.T) {
	t.Parallel()
	root := newRoot(&Env{})
	for _, tc := range []struct {
		args      []string
		name      string
		sawDashes bool
	}{
		{[]string{"show", "x"}, "show", false},
		{[]string{"-r", "show", "stages"}, "stages", false},
		{[]string{"--repo", "show", "stages"}, "stages", false},
		{[]string{"--repo=show", "stages"}, "stages", false},
		{[]string{"-v", "--no-cache", "history"}, "history", false},
		{[]string{"--timeout", "5s", "doctor"}, "doctor", false},
		{[]string{"--json", "show"}, "", false}, // an unknown flag takes the next word, as in cobra
		{[]string{"--version"}, "", false},
		{[]string{"--", "show"}, "", true},
		{[]string{"-r"}, "", false},
		{nil, "", false},
	} {
		name, dashes := commandName(root, tc.args)
		if name != tc.name || dashes != tc.sawDashes {
			t.Errorf("commandName(%q) = %q, %v; want %q, %v", tc.args, name, dashes, tc.name, tc.sawDashes)
		}
	}
}
