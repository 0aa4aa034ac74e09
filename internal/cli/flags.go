package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

// addAlias registers alias as a second, hidden long name of an existing
// flag (gto 0.2.4 has --asc for --ascending, --ro for --registered-only, ...).
func addAlias(fs *pflag.FlagSet, name, alias string) {
	f := fs.Lookup(name)
	f.Usage += " (alias --" + alias + ")"
	fs.AddFlag(&pflag.Flag{
		Name:        alias,
		Usage:       "alias of --" + name,
		Value:       f.Value,
		DefValue:    f.DefValue,
		NoOptDefVal: f.NoOptDefVal,
		Hidden:      true,
	})
}

// isCobraUsageError tells the errors cobra returns for a wrong command line
// (it has no error types for them).
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// argsBetween checks the number of positional arguments, naming them.
func argsBetween(min, max int, names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min {
			return usageErrorf(cmd.CommandPath(), "missing argument %s", strings.Join(names[len(args):min], " "))
		}
		if len(args) > max {
			return usageErrorf(cmd.CommandPath(), "unexpected argument %q", args[max])
		}
		return nil
	}
}

// simpleFlag is --simple, gto 0.2.4's name for the counter mode: auto,
// true (a simple tag: no counter) or false (always a counter).
type simpleFlag struct{ v model.CounterMode }

// simpleValues are --simple's values, indexed by counter mode.
var simpleValues = [...]string{model.CounterAuto: "auto", model.CounterNever: "true", model.CounterAlways: "false"}

func (f *simpleFlag) String() string { return simpleValues[f.v] }

func (f *simpleFlag) Set(s string) error {
	for mode, name := range simpleValues {
		if s == name {
			f.v = model.CounterMode(mode)
			return nil
		}
	}
	return fmt.Errorf("must be one of auto, true, false")
}

func (f *simpleFlag) Type() string { return "auto|true|false" }

func addSimpleFlag(fs *pflag.FlagSet, f *simpleFlag, help string) {
	fs.Var(f, "simple", help)
}

// sortFlag is --sort: timestamp or semver.
type sortFlag struct{ v model.Sort }

func (f *sortFlag) String() string { return f.v.String() }

func (f *sortFlag) Set(s string) error {
	v, err := model.ParseSort(s)
	if err != nil {
		return fmt.Errorf("must be one of timestamp, semver")
	}
	f.v = v
	return nil
}

func (f *sortFlag) Type() string { return "timestamp|semver" }

// exclusive fails when more than one of the named flags is set. gto 0.2.4
// exits with 1 (not 2) for these, and so do we.
func exclusive(cmd *cobra.Command, names ...string) error {
	var set []string
	for _, n := range names {
		if f := cmd.Flags().Lookup(n); f != nil && f.Changed {
			set = append(set, "--"+n)
		}
	}
	if len(set) > 1 {
		return fmt.Errorf("only one of %s can be used at a time", strings.Join(set, ", "))
	}
	return nil
}

// fieldFlags registers boolean flags that each select the one field a
// command prints instead of its whole output (show --version, check-ref
// --event, describe --path); each entry is a flag name and its help. It
// returns the function telling which one is set ("" for none); exclusive
// checks that at most one is.
func fieldFlags(fs *pflag.FlagSet, fields ...[2]string) func() string {
	set := make([]bool, len(fields))
	for i, f := range fields {
		fs.BoolVar(&set[i], f[0], false, f[1])
	}
	return func() string {
		for i, on := range set {
			if on {
				return fields[i][0]
			}
		}
		return ""
	}
}

// durationFlag is a duration flag that accepts what GTO_TIMEOUT does: 30s,
// 2m, 1h, or a number of seconds.
type durationFlag struct{ v *time.Duration }

func (f *durationFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return ""
	}
	return f.v.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := registry.ParseDuration(s)
	if err != nil {
		return errors.New("takes a duration such as 30s or 2m")
	}
	*f.v = d
	return nil
}

func (f *durationFlag) Type() string { return "duration" }

// pflagValueError matches pflag's error for a value its parser refused:
// `invalid argument "abc" for "--vs" flag: strconv.ParseInt: parsing "abc": invalid syntax`
// (compiled on first use: most runs never refuse a flag).
var pflagValueError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^invalid argument "(.*)" for "(-\w, )?--([\w-]+)" flag: (strconv\.Parse(Int|Uint|Bool|Float): |takes )`)
})

// flagTakes says, per parser, what a flag's value must be.
var flagTakes = map[string]string{"Int": "a whole number", "Uint": "a whole number of 0 or more", "Bool": "true or false", "Float": "a number"}

// flagValueError words pflag's refusal of a value in terms of the flag
// ("--vs takes a whole number (-1 for all), got \"abc\""), instead of Go's
// parser ("strconv.ParseInt: parsing ..."). Other errors are returned as
// they are.
func flagValueError(cmd *cobra.Command, err error) error {
	m := pflagValueError().FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	value, name, kind := m[1], m[3], m[5]
	takes, ok := flagTakes[kind]
	if !ok { // a flag type of gto's own, whose error says what it takes
		takes = err.Error()[len(m[0]):]
	}
	f := cmd.Flags().Lookup(name)
	if f != nil {
		if target, ok := strings.CutPrefix(f.Usage, "alias of --"); ok { // --vs: its flag says
			f = cmd.Flags().Lookup(target)
		}
	}
	if f != nil && strings.Contains(f.Usage, "-1 for all") {
		takes += " (-1 for all)"
	}
	return fmt.Errorf("--%s takes %s, got %q", name, takes, value)
}
