package registry

import (
	"strings"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// sealed returns Options that run git as repo's own commands do (sealed
// off from the user's configuration, repo's identity) without touching
// the process environment, so that tests can run in parallel; the registry
// dates its tags by repo's clock (Tick moves it).
func sealed(repo *gittest.Repo) Options {
	env := repo.Env()
	lookup := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "GIT_COMMITTER_DATE" {
			lookup[k] = v
		}
	}
	return Options{
		GitEnv: env,
		Getenv: func(k string) (string, bool) { v, ok := lookup[k]; return v, ok },
		Now:    repo.Now,
	}
}

// sealedAt is sealed for the repository at repo, a URL or another folder.
func sealedAt(g *gittest.Repo, repo string) Options {
	o := sealed(g)
	o.Repo = repo
	return o
}
