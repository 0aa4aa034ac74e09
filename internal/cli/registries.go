package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/registryset"
)

// repoFlag is -r/--repo. Every command reads the last value; serve and
// site read all of them, given more than once, as a registry set.
type repoFlag struct{ env *Env }

func (f repoFlag) String() string { return f.env.Repo }
func (f repoFlag) Type() string   { return "string" }
func (f repoFlag) Set(v string) error {
	f.env.Repo = v
	f.env.Repos = append(f.env.Repos, v)
	return nil
}

// registriesFlag adds --registries FILE to serve or site.
func registriesFlag(cmd *cobra.Command, file *string) {
	cmd.Flags().StringVar(file, "registries", "", "Read every repository of this registry set file ("+registryset.FileName+": a list of {name, repo}) instead of one; -r given more than once does the same")
	cmd.MarkFlagFilename("registries", "yaml", "yml")
}

// registriesHelp is what serve's and site's help say of registry sets.
const registriesHelp = `A registry set is many repositories at once: --registries FILE (a YAML list
of {name, repo}, repo a path, relative to the file, or a URL), or -r given
more than once, each as NAME=REPO or REPO (named after its last path element
without .git). The registry page then lists every artifact of every
repository, with a repository column and filter; a repository that cannot
be read is shown stale with its error. See docs/registry-sets.md.`

// registrySet returns the registry set of --registries and of -r given
// more than once, or nil when the command reads one repository. every is
// how often a local member is checked, remoteEvery a remote one.
func (e *Env) registrySet(cmd *cobra.Command, file string, every, remoteEvery time.Duration) (*registryset.Set, error) {
	if file == "" && len(e.Repos) < 2 {
		return nil, nil
	}
	var entries []registryset.Entry
	if file != "" {
		var err error
		if entries, err = registryset.Load(file); err != nil {
			return nil, err
		}
	}
	for _, v := range e.Repos {
		entry, err := registryset.ParseRepo(v)
		if err != nil {
			return nil, usageErrorf(cmd.CommandPath(), "-r/--repo: %v", err)
		}
		entries = append(entries, entry)
	}
	set, err := registryset.New(entries, registryset.Options{Registry: e.registryOptions(), Every: every, RemoteEvery: remoteEvery, Now: e.Now})
	if err != nil {
		// The file alone was validated by Load: -r values are at fault.
		if file != "" {
			return nil, fmt.Errorf("%s with -r/--repo: %w", file, err)
		}
		return nil, fmt.Errorf("-r/--repo: %w", err)
	}
	return set, nil
}

// describeSet names a set for people: its file, or its repositories.
func describeSet(file string, set *registryset.Set) string {
	n := len(set.Members())
	if file != "" {
		return fmt.Sprintf("set %s (%d repositories)", file, n)
	}
	names := make([]string, n)
	for i, m := range set.Members() {
		names[i] = m.Name
	}
	return fmt.Sprintf("set of %d repositories (%s)", n, strings.Join(names, ", "))
}
