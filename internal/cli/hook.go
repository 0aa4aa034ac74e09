package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gto-dev/gto/model"
	"github.com/gto-dev/gto/registry"
)

const hookLong = `Enforce the policy (gto-policy.yaml) in the git server: run as a server-side
hook of a repository, gto refuses a push whose new GTO tags break the policy,
with the reason on stderr, which git shows the pusher ("remote: ..."). It
accepts everything else: branches, other tags, deletions, tags the policy does
not govern, and every push when the default branch holds no policy.

The policy is the one at the tip of the default branch (the repository's HEAD)
before the push, or at --policy-ref: a policy pushed together with tags counts
from the next push on. Each new or moved GTO tag is judged with the artifact's
tags as they will be after the push, so staging and prod pushed at once are
judged in their order. A policy file that does not parse refuses every push
of GTO tags, and no other push (so it can be fixed).

  pre-receive   reads git's "<old> <new> <ref>" lines on stdin, the pushed
                objects still in quarantine; a refusal refuses the whole push
  update        takes git's "<ref> <old> <new>" arguments; a refusal refuses
                that ref alone (and the whole push when it is --atomic)

Install it on a bare repository with a two-line hook script; for Gitea,
Forgejo and GitLab self-managed, see docs/policy.md.`

const hookExample = `  # a bare repository: refuse pushes that break the policy, whole
  printf '#!/bin/sh\nexec gto hook pre-receive\n' >repo.git/hooks/pre-receive
  chmod +x repo.git/hooks/pre-receive

  # or refuse the offending tags one by one (git's update hook)
  printf '#!/bin/sh\nexec gto hook update "$@"\n' >repo.git/hooks/update
  chmod +x repo.git/hooks/update

  # try it by hand in a repository: would a push of model#prod#3 land?
  echo "0000000000000000000000000000000000000000 $(git rev-parse 'model#prod#3') refs/tags/model#prod#3" |
    gto hook pre-receive`

// NewCmdHook builds `gto hook` and its subcommands.
func NewCmdHook(env *Env) *cobra.Command {
	// No Run: `gto hook` alone prints this help.
	cmd := &cobra.Command{Use: "hook", Short: "Enforce the policy in a git server hook (pre-receive, update)", GroupID: groupModify}
	cmd.Long, cmd.Example = hookLong, hookExample
	pre := &cobra.Command{
		Use:     "pre-receive",
		Short:   "Judge a push from git's pre-receive input on stdin; refuse it whole on a violation",
		Long:    hookLong,
		Example: hookExample,
		Args:    argsBetween(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			updates, err := readPreReceive(cmd.InOrStdin())
			if err != nil {
				return err
			}
			return hookRun(cmd.Context(), env, updates)
		},
	}
	update := &cobra.Command{
		Use:     "update REF OLD NEW",
		Short:   "Judge one ref of a push, from git's update hook arguments",
		Long:    hookLong,
		Example: hookExample,
		Args:    argsBetween(3, 3, "REF", "OLD", "NEW"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return hookRun(cmd.Context(), env, []registry.RefUpdate{{Ref: args[0], Old: args[1], New: args[2]}})
		},
	}
	for _, c := range []*cobra.Command{pre, update} {
		addPolicyRefFlag(c, env)
		cmd.AddCommand(c)
	}
	return cmd
}

// readPreReceive reads git's pre-receive input: "<old> <new> <ref>" lines.
func readPreReceive(in io.Reader) ([]registry.RefUpdate, error) {
	var out []registry.RefUpdate
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" {
			return nil, fmt.Errorf("line %d of the pre-receive input is not \"<old> <new> <ref>\": %q", n, line)
		}
		out = append(out, registry.RefUpdate{Old: f[0], New: f[1], Ref: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read the pre-receive input: %v", err)
	}
	return out, nil
}

// hookRun judges the updates and refuses the push on a violation: each on
// a line of stderr, then an error that makes the hook exit 1.
func hookRun(ctx context.Context, env *Env, updates []registry.RefUpdate) error {
	opts := env.registryOptions()
	// The pushed objects are in quarantine, and may never enter the
	// repository: keep them out of gto's object cache.
	opts.NoObjectCache = true
	r, err := registry.Open(ctx, opts)
	if err != nil {
		return err
	}
	env.reg = r
	defer r.Close()
	violations, err := r.CheckPush(ctx, updates)
	if err != nil {
		return err
	}
	if len(violations) == 0 {
		return nil
	}
	tags := map[string]bool{}
	for _, v := range violations {
		fmt.Fprintf(env.ErrOut, "%s%s: %s\n", env.emoji("❌"), v.Tag, v.Error())
		tags[v.Tag] = true
	}
	return &policyRefusal{tags: len(tags), where: policyWhere(violations[0])}
}

// policyRefusal is the error of a hook that refuses a push.
type policyRefusal struct {
	tags  int
	where string
}

func (e *policyRefusal) Error() string {
	if e.tags == 1 {
		return fmt.Sprintf("the push was refused: 1 tag breaks the policy (%s)", e.where)
	}
	return fmt.Sprintf("the push was refused: %d tags break the policy (%s)", e.tags, e.where)
}

// policyWhere names the file and the revision a violation's rule is from.
func policyWhere(v *model.PolicyError) string {
	ref := strings.TrimPrefix(strings.TrimPrefix(v.Ref, "refs/heads/"), "refs/remotes/")
	return ref + ":" + v.File
}
