package semver

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		in                       string
		major, minor, patch, pre string
		build                    string
	}{
		{"v1.2.3", "1", "2", "3", "", ""},
		{"v0.0.0", "0", "0", "0", "", ""},
		{"v0.0.1", "0", "0", "1", "", ""},
		{"v1.2.3-rc.1", "1", "2", "3", "rc.1", ""},
		{"v1.2.3+build.5", "1", "2", "3", "", "build.5"},
		{"v1.0.0-0.3.7", "1", "0", "0", "0.3.7", ""},
		{"v1.0.0-x.7.z.92", "1", "0", "0", "x.7.z.92", ""},
		{"v1.0.0-alpha+001", "1", "0", "0", "alpha", "001"},
		{"v1.0.0+20130313144700", "1", "0", "0", "", "20130313144700"},
		{"v1.0.0-beta+exp.sha.5114f85", "1", "0", "0", "beta", "exp.sha.5114f85"},
		{"v3.4.5-pre.2+build.4", "3", "4", "5", "pre.2", "build.4"},
		{"v3.4.5-pre.2-build.4", "3", "4", "5", "pre.2-build.4", ""},
		{"v1.0.0--", "1", "0", "0", "-", ""},   // "-" is an alphanumeric identifier
		{"v1.0.0-0a", "1", "0", "0", "0a", ""}, // leading zero allowed when not numeric
		{"v1.0.0-a-.-b", "1", "0", "0", "a-.-b", ""},
		{"v1.0.0+0-.00", "1", "0", "0", "", "0-.00"}, // build metadata may have leading zeros
		{"v10.20.30", "10", "20", "30", "", ""},
		{"v123456789012345678901234567890.0.0", "123456789012345678901234567890", "0", "0", "", ""},
	} {
		v, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !IsValid(tc.in) {
			t.Errorf("IsValid(%q) = false", tc.in)
		}
		got := []string{v.major, v.minor, v.patch, v.pre, v.build}
		want := []string{tc.major, tc.minor, tc.patch, tc.pre, tc.build}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Parse(%q) parts = %q, want %q", tc.in, got, want)
		}
		if v.String() != tc.in {
			t.Errorf("Parse(%q).String() = %q", tc.in, v.String())
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		"", "v", "1", "v1", "v1.2", "1.2.3", "0.1.2", "3.4.5-pre.2+build.4",
		"v01.2.3", "v1.02.3", "v1.2.03", "V1.2.3", "v1.2.3.4", "###",
		"v1.2.3-", "v1.2.3+", "-v1.2.3", "v1.2.3-01", "v1.2.3-a..b", "v1.2.3-a.",
		"v1.2.3-.a", "v1.2.3+a..b", "v1.2.3+.a", "v1.2.3+a.", "v1.2.3-rc+",
		"v1.2.3-rc.1+b+c", "v1.2.3-a_b", "v1.2.3+a_b", "v1.2.3 ", " v1.2.3",
		"v1.2.3\n", "vv1.2.3", "v1..3", "v.1.2.3", "v1.2.-3", "v-1.2.3", "v1.2.3-00",
		"v1.2.3-rc.1.01", "v1.2.3-é", "v1.2.3+é", "v١.0.0", "v1.0.0!", "v1.0.0#1",
	} {
		if IsValid(in) {
			t.Errorf("IsValid(%q) = true", in)
		}
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", in)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", in, err)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse("1.2.3")
	want := `invalid version "1.2.3": a version is "v" followed by a SemVer 2.0.0 string, e.g. v1.0.0`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Text != "1.2.3" {
		t.Errorf("error is not an *InvalidError carrying the input: %#v", err)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(\"v1\") did not panic")
		}
	}()
	MustParse("v1")
}

// ascending lists chains of versions in strictly increasing precedence.
var ascending = [][]string{
	{"v0.1.9", "v0.1.10", "v0.1.13"},
	{"v0.2.0-beta.2", "v0.2.0-beta.11", "v0.2.0"},
	{"v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta",
		"v1.0.0-beta.2", "v1.0.0-beta.11", "v1.0.0-rc.1", "v1.0.0"},
	{"v1.0.0", "v2.0.0", "v2.1.0", "v2.1.1"},
	{"v1.3.2", "v1.3.3", "v1.3.4", "v2.0.0"},
	{"v0.0.0", "v0.0.1", "v0.1.0", "v1.0.0", "v9.0.0", "v10.0.0", "v99.0.0", "v100.0.0"},
	{"v1.0.0-0", "v1.0.0-1", "v1.0.0-9", "v1.0.0-10", "v1.0.0-0a", "v1.0.0-A",
		"v1.0.0-Z", "v1.0.0-a", "v1.0.0-a.0", "v1.0.0-a.0.0", "v1.0.0-a.a"},
	// "-" (0x2d) sorts before digits (0x30) in ASCII order among alphanumerics.
	{"v1.0.0-1", "v1.0.0--", "v1.0.0-0-", "v1.0.0-a-", "v1.0.0-aa"},
	{"v1.0.0-rc.99999999999999999999", "v1.0.0-rc.100000000000000000000", "v1.0.0-rc.x"},
	{"v18446744073709551615.0.0", "v18446744073709551616.0.0", "v99999999999999999999999.0.0"},
	{"v1.99999999999999999999999.0", "v1.100000000000000000000000.0", "v2.0.0"},
}

func TestCompareOrdering(t *testing.T) {
	for _, chain := range ascending {
		vs := make([]Version, len(chain))
		for i, s := range chain {
			vs[i] = MustParse(s)
		}
		for i := range vs {
			for j := range vs {
				want := 0
				if i < j {
					want = -1
				} else if i > j {
					want = 1
				}
				if got := vs[i].Compare(vs[j]); got != want {
					t.Errorf("%s.Compare(%s) = %d, want %d", vs[i], vs[j], got, want)
				}
			}
		}
	}
}

func TestCompareIgnoresBuild(t *testing.T) {
	for _, pair := range [][2]string{
		{"v1.0.0+a", "v1.0.0+b"},
		{"v1.0.0", "v1.0.0+b"},
		{"v1.0.0-rc.1+x", "v1.0.0-rc.1+y.z"},
	} {
		a, b := MustParse(pair[0]), MustParse(pair[1])
		if a.Compare(b) != 0 || b.Compare(a) != 0 {
			t.Errorf("%s and %s should have equal precedence", a, b)
		}
		if a == b {
			t.Errorf("%s and %s should not be ==", a, b)
		}
	}
}

func TestBump(t *testing.T) {
	for _, tc := range []struct{ in, major, minor, patch string }{
		{"v1.3.4", "v2.0.0", "v1.4.0", "v1.3.5"},
		{"v1.2.3-rc.1+b", "v2.0.0", "v1.3.0", "v1.2.4"},
		{"v1.0.0-rc.1", "v2.0.0", "v1.1.0", "v1.0.1"},
		{"v0.0.1", "v1.0.0", "v0.1.0", "v0.0.2"},
		{"v0.0.9", "v1.0.0", "v0.1.0", "v0.0.10"},
		{"v9.99.999", "v10.0.0", "v9.100.0", "v9.99.1000"},
		{"v18446744073709551615.18446744073709551615.18446744073709551615",
			"v18446744073709551616.0.0",
			"v18446744073709551615.18446744073709551616.0",
			"v18446744073709551615.18446744073709551615.18446744073709551616"},
	} {
		v := MustParse(tc.in)
		for _, b := range []struct {
			name string
			got  Version
			want string
		}{
			{"BumpMajor", v.BumpMajor(), tc.major},
			{"BumpMinor", v.BumpMinor(), tc.minor},
			{"BumpPatch", v.BumpPatch(), tc.patch},
		} {
			if b.got.String() != b.want {
				t.Errorf("%s.%s() = %s, want %s", v, b.name, b.got, b.want)
			}
			if b.got.Compare(v) <= 0 {
				t.Errorf("%s.%s() = %s is not greater", v, b.name, b.got)
			}
		}
	}
}

func TestZeroAndMinimal(t *testing.T) {
	if got := Minimal().String(); got != "v0.0.1" {
		t.Errorf("Minimal() = %s", got)
	}
	var z Version
	if !z.IsZero() || Minimal().IsZero() {
		t.Error("IsZero is wrong")
	}
	if z.String() != "" {
		t.Errorf("zero String() = %q", z.String())
	}
	if z.BumpPatch() != Minimal() {
		t.Errorf("zero BumpPatch() = %s, want v0.0.1", z.BumpPatch())
	}
	if z.BumpMajor().String() != "v1.0.0" || z.BumpMinor().String() != "v0.1.0" {
		t.Errorf("zero bumps: %s %s", z.BumpMajor(), z.BumpMinor())
	}
	if z.Compare(MustParse("v0.0.0")) >= 0 || z.Compare(z) != 0 {
		t.Error("the zero Version must order below every version")
	}
}

func TestNoAllocations(t *testing.T) {
	a, b := MustParse("v1.0.0-rc.1.x+b"), MustParse("v1.0.0-rc.1.y")
	if n := testing.AllocsPerRun(100, func() {
		_ = IsValid("v1.2.3-rc.1+build.5")
		_, _ = Parse("v1.2.3-rc.1+build.5")
		_ = a.Compare(b)
	}); n != 0 {
		t.Errorf("Parse/IsValid/Compare allocate %v times", n)
	}
}
