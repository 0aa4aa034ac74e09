package registry

import (
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd/gittest"
)

// BenchmarkReadPolicy measures what reading the policy adds to a command:
// finding the default branch, the file's blob at its tip, reading and
// parsing it, through the cat-file process the command runs anyway (go
// test -run '^$' -bench ReadPolicy ./registry/; bench/RESULTS.md).
func BenchmarkReadPolicy(b *testing.B) {
	for _, tc := range []struct{ name, file string }{
		{"none", ""},
		{"policy", "# the rules of a team's registry\n" +
			"stages: {dev: {}, staging: {after: [dev], prerelease: true}, prod: {after: [staging], signed: true,\n" +
			"  signers: [ops@example.com], taggers: ['*@example.com'], prerelease: false}}\n" +
			"artifacts: {'experimental/*': {stages: {prod: {after: []}}}, 'nlp/*': {stages: {prod: {taggers: ['nlp-*@example.com']}}}}\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			g := gittest.NewRepo(b)
			files := map[string]string{"README.md": "x\n"}
			if tc.file != "" {
				files["gto-policy.yaml"] = tc.file
			}
			g.Commit("policy", files)
			g.Setenv()
			reg, err := Open(b.Context(), Options{Repo: g.Dir, GitEnv: g.Env()})
			if err != nil {
				b.Fatal(err)
			}
			defer reg.Close()
			err = reg.view(b.Context(), func(s *session) error {
				for b.Loop() {
					p, err := reg.readPolicy(b.Context(), s, true)
					if err != nil || (p == nil) != (tc.file == "") {
						b.Fatalf("readPolicy = %v, %v", p, err)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
