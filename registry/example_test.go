package registry_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gto-dev/gto/registry"
)

// exampleRepo makes a throw-away repository with two commits, and the
// options that open it with a fixed identity and clock.
func exampleRepo() (registry.Options, func()) {
	dir, err := os.MkdirTemp("", "gto-example-")
	if err != nil {
		panic(err)
	}
	env := []string{"HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=1700000000 +0000", "GIT_COMMITTER_DATE=1700000000 +0000"}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"-c", "commit.gpgSign=false", "commit", "-q", "--allow-empty", "-m", "first model"},
		{"-c", "commit.gpgSign=false", "commit", "-q", "--allow-empty", "-m", "second model"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			panic(fmt.Sprintf("git %v: %v %s", args, err, out))
		}
	}
	lookup := func(k string) (string, bool) {
		for _, kv := range env {
			if key, v, _ := strings.Cut(kv, "="); key == k {
				return v, true
			}
		}
		return "", false
	}
	// HOME is the folder: no configuration of the user's (signing, say)
	// applies.
	return registry.Options{Repo: dir, GitEnv: env, Getenv: lookup}, func() { os.RemoveAll(dir) }
}

func ExampleOpen() {
	opts, done := exampleRepo()
	defer done()
	ctx := context.Background()
	reg, err := registry.Open(ctx, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()
	view, err := reg.ShowRegistry(ctx, registry.DefaultShowOptions())
	fmt.Println(len(view.Rows), "artifacts", err)
	// Output: 0 artifacts <nil>
}

func ExampleRegistry_Register() {
	opts, done := exampleRepo()
	defer done()
	ctx := context.Background()
	reg, _ := registry.Open(ctx, opts)
	defer reg.Close()
	res, err := reg.Register(ctx, registry.RegisterOptions{Name: "churn", Ref: "HEAD~1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Created[0].Name)
	fmt.Println(registry.PushCommand(res.Remote, res))
	// The next version of churn, at HEAD: the patch bumped.
	res, _ = reg.Register(ctx, registry.RegisterOptions{Name: "churn"})
	fmt.Println(res.Created[0].Name)
	// Output:
	// churn@v0.0.1
	// git push origin churn@v0.0.1
	// churn@v0.0.2
}

func ExampleRegistry_Assign() {
	opts, done := exampleRepo()
	defer done()
	ctx := context.Background()
	reg, _ := registry.Open(ctx, opts)
	defer reg.Close()
	// A commit without a version: it is registered first, in the same write.
	res, err := reg.Assign(ctx, registry.AssignOptions{Name: "churn", Ref: "HEAD", Stage: "prod"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Created {
		fmt.Println(c.Name, c.Version)
	}
	// Assigning the stage again is refused, with a typed error.
	_, err = reg.Assign(ctx, registry.AssignOptions{Name: "churn", Version: "v0.0.1", Stage: "prod"})
	fmt.Println(err)
	// Output:
	// churn@v0.0.1 v0.0.1
	// churn#prod#1 v0.0.1
	// version v0.0.1 of artifact "churn" is already in stage "prod": force the assignment to assign it again
}

func ExampleRegistry_ShowRegistry() {
	opts, done := exampleRepo()
	defer done()
	ctx := context.Background()
	reg, _ := registry.Open(ctx, opts)
	defer reg.Close()
	reg.Register(ctx, registry.RegisterOptions{Name: "churn", Ref: "HEAD~1"})
	reg.Assign(ctx, registry.AssignOptions{Name: "churn", Ref: "HEAD", Stage: "prod"})
	view, _ := reg.ShowRegistry(ctx, registry.DefaultShowOptions())
	for _, row := range view.Rows {
		fmt.Println(row.Artifact.Name, row.Latest, view.Stages, row.InStage["prod"])
	}
	// Output: churn v0.0.2 [prod] [v0.0.2]
}

func ExampleRegistry_History() {
	opts, done := exampleRepo()
	defer done()
	ctx := context.Background()
	reg, _ := registry.Open(ctx, opts)
	defer reg.Close()
	reg.Assign(ctx, registry.AssignOptions{Name: "churn", Ref: "HEAD", Stage: "prod"})
	events, _ := reg.History(ctx, registry.HistoryOptions{Artifact: "churn", Ascending: true})
	for _, e := range events {
		fmt.Println(e.Kind, e.Version, e.Stage, e.Ref() == e.Commit)
	}
	// Output:
	// commit v0.0.1  true
	// registration v0.0.1  false
	// assignment v0.0.1 prod false
}
