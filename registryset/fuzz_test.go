package registryset_test

import (
	"strings"
	"testing"

	"github.com/gto-dev/gto/registryset"
)

// FuzzParse: a registry set file never panics the parser; every refusal
// is one line that names the file; what Validate accepts has valid,
// unique names and a repository each; ParseRepo of each repository gives
// an entry or one line.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"- name: churn\n  repo: ../churn\n- {name: fraud, repo: 'https://example.com/org/fraud.git'}\n",
		"- {name: a, repo: x, repo: y}\n",
		"- &a {name: a, repo: x}\n- *a\n",
		"- {name: *x, repo: y}\n",
		"- {name: [a], repo: b}\n",
		"name: a\n",
		"- [" + strings.Repeat("[", 100),
		"\xff\xfe",
		"- {name: 1, repo: 2.5}\n",
		"- {name: \"a\\nb\", repo: \"c\\td\"}\n",
		"---\n- {name: a, repo: b}\n---\n- {name: c, repo: d}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "gto-registries.yaml"
		entries, err := registryset.Parse(data, file)
		if err == nil {
			err = registryset.Validate(entries)
			if err == nil {
				seen := map[string]bool{}
				for _, e := range entries {
					if registryset.CheckName(e.Name) != nil || seen[strings.ToLower(e.Name)] || strings.TrimSpace(e.Repo) == "" {
						t.Fatalf("accepted %+v", e)
					}
					seen[strings.ToLower(e.Name)] = true
					if _, err := registryset.ParseRepo(e.Repo); err != nil && strings.ContainsAny(err.Error(), "\n\r") {
						t.Fatalf("ParseRepo error is not one line: %q", err)
					}
				}
				return
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("Validate error is not one line: %q", msg)
			}
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("error is not one line: %q", msg)
		}
		if !strings.HasPrefix(msg, file) {
			t.Fatalf("error does not name the file: %q", msg)
		}
	})
}
