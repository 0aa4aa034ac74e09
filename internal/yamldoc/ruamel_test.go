package yamldoc

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gto-dev/gto/internal/yamldoc/ruamelcorpus"
)

// TestEmitMatchesRuamel compares Represent and Emit with ruamel's output
// byte for byte, checks that Emit knows which strings ruamel loses and that
// its output is YAML. That the output reads back as the input is checked by
// annotations' TestMarshalMatchesRuamel, with the reader gto's files go
// through.
func TestEmitMatchesRuamel(t *testing.T) {
	cases := ruamelcorpus.Load(t)
	if len(cases) < 500 {
		t.Fatalf("only %d cases in the corpus", len(cases))
	}
	mismatches, deviations := 0, 0
	for _, c := range cases {
		root, err := Represent(c.State)
		if err != nil {
			t.Errorf("%s: Represent: %v", c.Name, err)
			continue
		}
		out, lossy := Emit(root)
		if c.Unreadable {
			// ruamel's output is not YAML; Emit keeps the key on one line
			// (see writePlain), and the output must read back.
			if string(out) == c.Want {
				t.Errorf("%s: Emit() wrote what ruamel wrote, which is not YAML:\n%s", c.Name, out)
			}
			deviations++
		} else if string(out) != c.Want {
			mismatches++
			t.Errorf("%s: Emit() =\n%q\nruamel wrote\n%q", c.Name, out, c.Want)
		}
		if lossy != c.Lossy && !c.Unreadable {
			t.Errorf("%s: Emit says lossy = %v, ruamel's round trip says %v", c.Name, lossy, c.Lossy)
		}
		if lossy {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Errorf("%s: output is not YAML: %v", c.Name, err)
		}
	}
	t.Logf("%d cases, %d mismatches, %d deliberate deviations where ruamel writes invalid YAML", len(cases), mismatches, deviations)
}
