package semver

import (
	"regexp"
	"testing"
)

// referenceRE is the SemVer 2.0.0 grammar as GTO and python-semver write it, used only
// as an oracle: the package itself must not pay for a regexp on every tag.
var referenceRE = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
	`(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"v1.2.3", "v1.2.3-rc.1", "v1.2.3+build.5", "v1.0.0-0.3.7", "v1.0.0-x.7.z.92",
		"1.2.3", "v1", "v1.2", "v01.2.3", "V1.2.3", "v1.2.3.4", "###", "v1.2.3-",
		"v1.2.3+", "-v1.2.3", "v1.2.3-01", "v1.2.3-a..b", "v1.0.0--", "v1.0.0-0a",
		"v99999999999999999999.0.0", "v1.0.0-alpha.beta+exp.sha.5114f85",
	}
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		va, err := Parse(a)
		if ok := err == nil; ok != IsValid(a) {
			t.Fatalf("Parse(%q) ok=%v but IsValid=%v", a, ok, !ok)
		}
		if want := referenceRE.MatchString(a); (err == nil) != want {
			t.Fatalf("Parse(%q) ok=%v, reference grammar says %v", a, err == nil, want)
		}
		if err != nil {
			return
		}
		if va.String() != a {
			t.Fatalf("String() = %q, want %q", va.String(), a)
		}
		if again, err := Parse(va.String()); err != nil || again != va {
			t.Fatalf("re-parse of %q: %v, %#v != %#v", a, err, again, va)
		}
		if va.Compare(va) != 0 {
			t.Fatalf("%s.Compare(itself) != 0", a)
		}
		for _, bumped := range []Version{va.BumpMajor(), va.BumpMinor(), va.BumpPatch()} {
			if bumped.Compare(va) <= 0 || va.Compare(bumped) >= 0 {
				t.Fatalf("bump of %s gave %s, not greater", a, bumped)
			}
		}
		vb, err := Parse(b)
		if err != nil {
			return
		}
		if ab, ba := va.Compare(vb), vb.Compare(va); ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("Compare not antisymmetric: %s vs %s gives %d and %d", a, b, ab, ba)
		}
	})
}
